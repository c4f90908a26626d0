using System.Text.Json.Nodes;
using AiServer.Jobs.Store;
using AiServer.Providers.Supabase;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiServer.Jobs.Outbox;

/// <summary>
/// Compares every job record in Redis with its <c>ai_jobs</c> row and repairs drift (a row missing, or at another
/// version, or with another record): the job's states are queued in the outbox again (every event its stream keeps),
/// so the relay writes them in order. Jobs with changes still in the outbox are in flight, not drift.
/// </summary>
internal sealed partial class OutboxReconciler(
    IConnectionMultiplexer redis,
    JobKeys keys,
    SupabaseClient supabase,
    IOptionsMonitor<OutboxOptions> options,
    ILogger<OutboxReconciler> logger)
{
    private const int Chunk = 100;

    public async Task<OutboxReconcileReport> RunAsync(bool repair, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var pending = await PendingJobsAsync(db).ConfigureAwait(false);
        var pattern = keys.Job("*").ToString();
        var prefix = pattern[..^1];
        int inSync = 0, missing = 0, stale = 0, inFlight = 0, repaired = 0, total = 0;
        var drifted = new List<string>();
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            var batch = new List<string>(Chunk);
            await foreach (var key in server.KeysAsync(db.Database, pattern, pageSize: 500).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                batch.Add(key.ToString()[prefix.Length..]);
                if (batch.Count == Chunk)
                {
                    await CompareAsync(batch).ConfigureAwait(false);
                    batch.Clear();
                }
            }

            await CompareAsync(batch).ConfigureAwait(false);
        }

        var report = new OutboxReconcileReport(total, inSync, missing, stale, inFlight, repaired, drifted);
        LogReconciled(logger, total, inSync, missing, stale, inFlight, repaired);
        return report;

        async Task CompareAsync(List<string> ids)
        {
            if (ids.Count == 0)
            {
                return;
            }

            var records = await Task.WhenAll(ids.Select(id => db.HashGetAsync(keys.Job(id), "data"))).ConfigureAwait(false);
            var rows = await supabase.SelectAsync<JsonObject>(
                options.CurrentValue.JobsTable,
                new Providers.Supabase.SupabaseQuery().Select("id,version,record").In("id", ids),
                "outbox-reconcile",
                cancellationToken).ConfigureAwait(false);
            var byId = rows.Where(r => r["id"] is not null).ToDictionary(r => r["id"]!.GetValue<string>(), StringComparer.Ordinal);
            for (var i = 0; i < ids.Count; i++)
            {
                if (records[i].IsNullOrEmpty)
                {
                    continue; // expired between the scan and the read
                }

                total++;
                var id = ids[i];
                if (pending.Contains(id))
                {
                    inFlight++;
                    continue;
                }

                var record = JsonNode.Parse((string)records[i]!);
                if (!byId.TryGetValue(id, out var row))
                {
                    missing++;
                }
                else if (!JsonNode.DeepEquals(row["record"], record))
                {
                    stale++;
                }
                else
                {
                    inSync++;
                    continue;
                }

                drifted.Add(id);
                if (repair)
                {
                    await RequeueAsync(db, id).ConfigureAwait(false);
                    repaired++;
                }
            }
        }
    }

    /// <summary>Queues every state the job's event stream keeps, oldest first, in one transaction.</summary>
    private async Task RequeueAsync(IDatabase db, string id)
    {
        var events = await db.StreamRangeAsync(keys.Events(id), "-", "+").ConfigureAwait(false);
        var current = await db.HashGetAsync(keys.Job(id), "data").ConfigureAwait(false);
        var transaction = db.CreateTransaction();
        foreach (var entry in events)
        {
            if ((string?)entry["data"] is { Length: > 0 } data)
            {
                _ = transaction.StreamAddAsync(keys.Outbox, [new("job", id), new("version", JobJson.Deserialize(data).Version), new("data", data)]);
            }
        }

        if (!current.IsNullOrEmpty)
        {
            // The record itself last (the events stream is capped and may lack the oldest states).
            _ = transaction.StreamAddAsync(keys.Outbox, [new("job", id), new("version", JobJson.Deserialize(current!).Version), new("data", current)]);
        }

        await transaction.ExecuteAsync().ConfigureAwait(false);
    }

    private async Task<HashSet<string>> PendingJobsAsync(IDatabase db)
    {
        var pending = new HashSet<string>(StringComparer.Ordinal);
        RedisValue after = "-";
        while (true)
        {
            var entries = await db.StreamRangeAsync(keys.Outbox, after, "+", 1000).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                pending.Add((string)entry["job"]!);
            }

            if (entries.Length < 1000)
            {
                return pending;
            }

            after = "(" + entries[^1].Id;
        }
    }

    [LoggerMessage(EventId = 4510, Level = LogLevel.Information, Message = "Outbox reconciliation: {Checked} jobs, {InSync} in sync, {Missing} missing and {Stale} stale in Supabase, {Pending} still in the outbox, {Repaired} queued again.")]
    private static partial void LogReconciled(ILogger logger, int @checked, int inSync, int missing, int stale, int pending, int repaired);
}
