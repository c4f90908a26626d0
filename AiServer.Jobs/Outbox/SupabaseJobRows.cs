using System.Text.Json.Nodes;

namespace AiServer.Jobs.Outbox;

/// <summary>
/// A job record as the Supabase rows hold it (<c>docs/sql/001_ai_jobs.sql</c>): <c>ai_jobs</c> has the current state,
/// one row per job; <c>ai_job_events</c> every state, one row per (job, version). <c>record</c> is the whole record as
/// Redis stores it, so a row equals its Redis record exactly.
/// </summary>
internal static class SupabaseJobRows
{
    public static JsonObject JobRow(JobRecord job, string data) => new()
    {
        ["id"] = job.Id,
        ["kind"] = job.Kind,
        ["status"] = job.Status,
        ["provider"] = job.Provider,
        ["owner"] = job.Owner,
        ["version"] = job.Version,
        ["attempts"] = job.Attempts,
        ["provider_job_id"] = job.ProviderJobId,
        ["error_code"] = job.Error?.Code,
        ["created_at"] = job.CreatedAt,
        ["updated_at"] = job.UpdatedAt,
        ["started_at"] = job.StartedAt,
        ["completed_at"] = job.CompletedAt,
        ["record"] = JsonNode.Parse(data),
    };

    public static JsonObject EventRow(JobRecord job, string data) => new()
    {
        ["job_id"] = job.Id,
        ["version"] = job.Version,
        ["status"] = job.Status,
        ["at"] = job.UpdatedAt,
        ["record"] = JsonNode.Parse(data),
    };
}
