-- AiServer job records in Supabase (issue 13). Written only by the outbox relay (service role), read by whoever needs
-- the record of jobs. Apply with `supabase db push` / `psql -f`; idempotent.

create table if not exists public.ai_jobs (
    id              text primary key,               -- job_<12 hex ms>_<16 hex>
    kind            text not null,                  -- speech, voice-clone, lip-sync, image-caption, image-generation, model-training
    status          text not null,                  -- queued, waiting_for_provider, running, succeeded, failed, canceled
    provider        text not null,
    owner           text not null,                  -- API key id (key_...), never the key
    version         bigint not null,                -- the Redis record's version: +1 per change
    attempts        integer not null default 0,
    provider_job_id text,
    error_code      text,
    created_at      timestamptz not null,
    updated_at      timestamptz not null,
    started_at      timestamptz,
    completed_at    timestamptz,
    record          jsonb not null                  -- the whole record as Redis holds it
);

create index if not exists ai_jobs_owner_created on public.ai_jobs (owner, created_at desc);
create index if not exists ai_jobs_status on public.ai_jobs (status) where status not in ('succeeded', 'failed', 'canceled');

create table if not exists public.ai_job_events (
    id      bigint generated always as identity primary key,
    job_id  text not null,
    version bigint not null,
    status  text not null,
    at      timestamptz not null,
    record  jsonb not null,
    unique (job_id, version)                       -- the relay's upsert key: a replayed entry writes the same row again
);

-- A row never moves backwards: an upsert carrying an older version than the stored one is ignored, so a late or
-- replayed relay write cannot undo a newer state (the relay also writes in order; this is the database's own guard).
create or replace function public.ai_jobs_keep_newest() returns trigger language plpgsql as $$
begin
    if new.version < old.version then
        return null;
    end if;
    return new;
end;
$$;

drop trigger if exists ai_jobs_keep_newest on public.ai_jobs;
create trigger ai_jobs_keep_newest before update on public.ai_jobs
    for each row execute function public.ai_jobs_keep_newest();

alter table public.ai_jobs enable row level security;
alter table public.ai_job_events enable row level security;
-- No policies: only the service role (which bypasses RLS) reads and writes.
