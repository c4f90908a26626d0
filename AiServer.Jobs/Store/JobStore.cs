using System.Globalization;
using AiServer.Jobs.Outbox;
using AiServer.Jobs.Webhooks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiServer.Jobs.Store;

/// <summary>
/// The job records in Redis: creation (with the idempotency key, the owner index, the first event and the queue
/// message in one script), reads, conditional updates that can never leave a terminal state, events and listing.
/// </summary>
internal sealed class JobStore(IConnectionMultiplexer redis, JobKeys keys, IOptionsMonitor<JobsOptions> options, IOptionsMonitor<OutboxOptions> outbox, TimeProvider time)
{
    /// <summary>Events kept per job (a job changes state a handful of times; the cap only guards against a runaway writer).</summary>
    private const int MaxEventsPerJob = 1000;

    private const string CreateScript = """
        -- KEYS: job, owner index, stream, events, idempotency key (the job key again when there is none), outbox
        -- ARGV: id, data, status, owner, ttl ms, idempotency ttl ms (0: none), idempotency value, traceparent, tracestate,
        --       outbox (1/0), announcement channel, announcement
        if tonumber(ARGV[6]) > 0 then
          local existing = redis.call('GET', KEYS[5])
          if existing then return {0, existing} end
          redis.call('SET', KEYS[5], ARGV[7], 'PX', ARGV[6])
        end
        redis.call('HSET', KEYS[1], 'data', ARGV[2], 'version', '1', 'status', ARGV[3])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        redis.call('ZADD', KEYS[2], 0, ARGV[1])
        redis.call('PEXPIRE', KEYS[2], ARGV[5])
        redis.call('XADD', KEYS[4], 'MAXLEN', '~', '1000', '*', 'status', ARGV[3], 'data', ARGV[2])
        redis.call('PEXPIRE', KEYS[4], ARGV[5])
        redis.call('XADD', KEYS[3], '*', 'job', ARGV[1], 'traceparent', ARGV[8], 'tracestate', ARGV[9])
        if ARGV[10] == '1' then
          redis.call('XADD', KEYS[6], '*', 'job', ARGV[1], 'version', '1', 'data', ARGV[2])
        end
        redis.call('PUBLISH', ARGV[11], ARGV[12])
        return {1, ARGV[1]}
        """;

    private IDatabase Db => redis.GetDatabase();

    public JobKeys Keys => keys;

    /// <summary>A new, time-ordered job id (<c>job_</c> + 12 hex digits of milliseconds + 16 random hex digits): lexical order is creation order.</summary>
    public string NewId() =>
        "job_" + time.GetUtcNow().ToUnixTimeMilliseconds().ToString("x12", CultureInfo.InvariantCulture) + "_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    /// <summary>
    /// Stores a new job and queues it, atomically. With an idempotency key, a key already used returns the job it made
    /// (same body) or reports the reuse (another body) instead.
    /// </summary>
    public async Task<JobCreateResult> CreateAsync(JobRecord job, string? idempotencyKeyHash, string bodyHash, string? traceParent, string? traceState)
    {
        var settings = options.CurrentValue;
        var data = JobJson.Serialize(job);
        var idempotencyKey = idempotencyKeyHash is null ? keys.Job(job.Id) : keys.Idempotency(job.Owner, idempotencyKeyHash);
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
            CreateScript,
            [keys.Job(job.Id), keys.Owner(job.Owner), keys.Stream(job.Kind), keys.Events(job.Id), idempotencyKey, keys.Outbox],
            [
                job.Id, data, job.Status, job.Owner,
                (long)settings.Retention.TotalMilliseconds,
                idempotencyKeyHash is null ? 0 : (long)settings.IdempotencyWindow.TotalMilliseconds,
                job.Id + "\n" + bodyHash,
                traceParent ?? string.Empty, traceState ?? string.Empty,
                outbox.CurrentValue.Enabled ? "1" : "0",
                // Announced from the script: one round trip per submission, not two.
                keys.Changes.ToString(), Announcement(job),
            ]).ConfigureAwait(false))!;
        if ((int)result[0] == 1)
        {
            return new JobCreateResult(job, Created: true, KeyReusedWithOtherBody: false);
        }

        var stored = ((string)result[1]!).Split('\n', 2);
        if (stored.Length != 2 || !string.Equals(stored[1], bodyHash, StringComparison.Ordinal))
        {
            return new JobCreateResult(null, Created: false, KeyReusedWithOtherBody: true);
        }

        return new JobCreateResult(await GetAsync(stored[0]).ConfigureAwait(false), Created: false, KeyReusedWithOtherBody: false);
    }

    public async Task<JobRecord?> GetAsync(string id)
    {
        var data = await Db.HashGetAsync(keys.Job(id), "data").ConfigureAwait(false);
        return data.IsNullOrEmpty ? null : JobJson.Deserialize(data!);
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the current record and writes it if nobody changed the record meanwhile
    /// (else reads again and retries). <paramref name="change"/> returns null to leave the record as it is; a terminal
    /// record is never changed. <paramref name="alsoInTransaction"/> adds commands that commit only with the change
    /// (acknowledging the queue message, dead-lettering). Returns the record as it is afterwards (null: no such job).
    /// </summary>
    /// <param name="id">The job id.</param>
    /// <param name="change">The change.</param>
    /// <param name="alsoInTransaction">Commands that commit with the change.</param>
    /// <param name="reopen">Allow changing a terminal record (an operator requeueing a dead letter; nothing else).</param>
    public async Task<JobRecord?> UpdateAsync(string id, Func<JobRecord, JobRecord?> change, Action<ITransaction, JobRecord>? alsoInTransaction = null, bool reopen = false)
    {
        var key = keys.Job(id);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var current = await GetAsync(id).ConfigureAwait(false);
            if (current is null || (current.IsTerminal && !reopen))
            {
                return current;
            }

            var next = change(current);
            if (next is null)
            {
                return current;
            }

            next = next with { Version = current.Version + 1, UpdatedAt = time.GetUtcNow() };
            var data = JobJson.Serialize(next);
            var retention = options.CurrentValue.Retention;
            var transaction = Db.CreateTransaction();
            transaction.AddCondition(Condition.HashEqual(key, "version", current.Version));
            _ = transaction.HashSetAsync(key, [new("data", data), new("version", next.Version), new("status", next.Status)]);
            _ = transaction.KeyExpireAsync(key, retention);
            _ = transaction.StreamAddAsync(keys.Events(id), [new("status", next.Status), new("data", data)], maxLength: MaxEventsPerJob, useApproximateMaxLength: true);
            _ = transaction.KeyExpireAsync(keys.Events(id), retention);
            // Announced inside the transaction: only a committed change is announced, in the same round trip.
            _ = transaction.PublishAsync(keys.Changes, Announcement(next));

            // The Supabase outbox and the client's webhook commit with the change or not at all (docs/jobs.md, "The outbox").
            if (outbox.CurrentValue.Enabled)
            {
                _ = transaction.StreamAddAsync(keys.Outbox, [new("job", id), new("version", next.Version), new("data", data)]);
            }

            ClientWebhookEvents.Enqueue(transaction, keys, current, next, data, retention, time.GetUtcNow());
            alsoInTransaction?.Invoke(transaction, next);
            if (await transaction.ExecuteAsync().ConfigureAwait(false))
            {
                return next;
            }
        }

        throw new InvalidOperationException($"Job {id} changed 50 times while being updated.");
    }

    /// <summary>The job's events after <paramref name="afterId"/> (exclusive; null: from the first), oldest first.</summary>
    public async Task<IReadOnlyList<JobEvent>> ReadEventsAsync(string id, string? afterId, int count = 100)
    {
        var entries = await Db.StreamRangeAsync(keys.Events(id), afterId is null ? "-" : "(" + afterId, "+", count).ConfigureAwait(false);
        var events = new List<JobEvent>(entries.Length);
        foreach (var entry in entries)
        {
            if (entry["data"] is { IsNullOrEmpty: false } data)
            {
                events.Add(new JobEvent(entry.Id!, JobJson.Deserialize(data!)));
            }
        }

        return events;
    }

    /// <summary>
    /// A page of <paramref name="owner"/>'s jobs, newest first, optionally of one kind and status. Scans at most a
    /// thousand entries per call (a filter that matches rarely returns a short page with a cursor to go on).
    /// </summary>
    public async Task<JobPage> ListAsync(string owner, string? kind, string? status, string? cursor, int limit)
    {
        var index = keys.Owner(owner);
        var jobs = new List<JobRecord>(limit);
        var position = cursor;
        var scanned = 0;
        while (jobs.Count < limit && scanned < 1000)
        {
            // Ids sort by creation time, so the index is read by value (ZRANGE BYLEX REV), newest first, after the cursor.
            var ids = await Db.SortedSetRangeByValueAsync(
                index,
                min: default,
                max: position is null ? default : (RedisValue)position,
                exclude: position is null ? Exclude.None : Exclude.Stop,
                order: Order.Descending,
                skip: 0,
                take: 100).ConfigureAwait(false);
            if (ids.Length == 0)
            {
                return new JobPage(jobs, null);
            }

            var batch = Db.CreateBatch();
            var reads = ids.Select(i => batch.HashGetAsync(keys.Job(i.ToString()), "data")).ToArray();
            batch.Execute();
            for (var i = 0; i < ids.Length && jobs.Count < limit; i++)
            {
                scanned++;
                position = ids[i].ToString();
                var data = await reads[i].ConfigureAwait(false);
                if (data.IsNullOrEmpty)
                {
                    _ = Db.SortedSetRemoveAsync(index, ids[i], CommandFlags.FireAndForget); // expired: drop it from the index
                    continue;
                }

                var job = JobJson.Deserialize(data!);
                if ((kind is null || job.Kind == kind) && (status is null || job.Status == status))
                {
                    jobs.Add(job);
                }
            }

            if (jobs.Count == limit)
            {
                return new JobPage(jobs, position);
            }

            if (ids.Length < 100)
            {
                return new JobPage(jobs, null);
            }
        }

        return new JobPage(jobs, position);
    }

    private static string Announcement(JobRecord job) => job.Kind + "|" + job.Id + "|" + job.Status;
}
