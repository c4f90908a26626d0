using System.Globalization;
using System.Text.Json.Nodes;
using AiServer.Jobs.Store;
using AiServer.Providers;
using AiServer.Providers.Supabase;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiServer.Jobs.Outbox;

/// <summary>
/// Writes every job change from the Redis outbox (<c>{p}{jobs}:outbox</c>) to Supabase, oldest first. One process of
/// the fleet relays at a time (a lease in Redis), so the changes of a job reach Supabase in order; an entry is deleted
/// only after Supabase accepted it, so a relay killed mid-batch leaves the batch for the next one, which writes it again
/// (upserts keyed by job id and by (job id, version): a replay writes the same rows). While the <c>supabase</c> breaker
/// is OPEN the relay waits; nothing is dropped.
/// </summary>
internal sealed partial class OutboxRelay(
    IConnectionMultiplexer redis,
    JobKeys keys,
    SupabaseClient supabase,
    IOptionsMonitor<SupabaseOptions> supabaseOptions,
    ICircuitBreakerRegistry breakers,
    OutboxTelemetry telemetry,
    IOptionsMonitor<OutboxOptions> options,
    TimeProvider time,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private const string LeaseScript = """
        local holder = redis.call('GET', KEYS[1])
        if holder == ARGV[1] or not holder then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return 1
        end
        return 0
        """;

    private readonly string _instance = Environment.MachineName + ":" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ":" + Guid.NewGuid().ToString("N")[..8];
    private bool _waitingForBreaker;
    private bool _warnedUnconfigured;

    /// <summary>Whether this process held the lease at its last look (for health and tests).</summary>
    public bool IsLeader { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var settings = options.CurrentValue;
            try
            {
                await SampleAsync().ConfigureAwait(false);
                if (!settings.Enabled || !await TryLeaseAsync(settings).ConfigureAwait(false))
                {
                    await Task.Delay(settings.LeaseTime / 3, time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                var relayed = await RelayBatchAsync(settings, stoppingToken).ConfigureAwait(false);
                if (relayed == 0)
                {
                    await Task.Delay(settings.IdlePoll, time, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (ProviderUnavailableException ex) when (ex.BreakerRejected)
            {
                NoteBreakerOpen();
                await DelayQuietlyAsync(settings.RetryDelay, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ProviderException or HttpRequestException or TimeoutException or RedisException or OperationCanceledException)
            {
                LogRelayFailed(logger, ex.GetType().Name);
                await DelayQuietlyAsync(settings.RetryDelay, stoppingToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The relay must outlive an unexpected failure: the batch stays in the outbox and is tried again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogUnexpected(logger, ex);
                await DelayQuietlyAsync(settings.RetryDelay, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Relays the oldest entries (at most <see cref="OutboxOptions.BatchSize"/>); returns how many.</summary>
    internal async Task<int> RelayBatchAsync(OutboxOptions settings, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var entries = await db.StreamRangeAsync(keys.Outbox, "-", "+", settings.BatchSize).ConfigureAwait(false);
        if (entries.Length == 0)
        {
            return 0;
        }

        if (!supabaseOptions.CurrentValue.IsConfigured)
        {
            if (!_warnedUnconfigured)
            {
                _warnedUnconfigured = true;
                LogNotConfigured(logger);
            }

            await Task.Delay(settings.RetryDelay, time, cancellationToken).ConfigureAwait(false);
            return 0;
        }

        if (breakers.Get(ProviderNames.Supabase).State == CircuitState.Open)
        {
            NoteBreakerOpen();
            await Task.Delay(settings.RetryDelay, time, cancellationToken).ConfigureAwait(false);
            return 0;
        }

        // Every state goes to the events table; the jobs table gets each job's newest state of the batch (entries are in
        // commit order, so the last one of a job is its newest).
        var events = new Dictionary<(string, long), JsonObject>();
        var latest = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var data = (string?)entry["data"];
            if (string.IsNullOrEmpty(data))
            {
                continue;
            }

            JobRecord job;
            try
            {
                job = JobJson.Deserialize(data);
            }
            catch (System.Text.Json.JsonException)
            {
                // Nothing Supabase could hold: logged (with its entry id) and passed over rather than blocking every job behind it.
                LogUnreadable(logger, entry.Id.ToString());
                continue;
            }

            events[(job.Id, job.Version)] = SupabaseJobRows.EventRow(job, data);
            if (!latest.TryGetValue(job.Id, out var row) || row["version"]!.GetValue<long>() < job.Version)
            {
                latest[job.Id] = SupabaseJobRows.JobRow(job, data);
            }
        }

        if (events.Count > 0)
        {
            await supabase.UpsertAsync<JsonObject>(settings.EventsTable, new JsonArray([.. events.Values]), "job_id,version", "outbox-events", cancellationToken).ConfigureAwait(false);
            await supabase.UpsertAsync<JsonObject>(settings.JobsTable, new JsonArray([.. latest.Values]), "id", "outbox-jobs", cancellationToken).ConfigureAwait(false);
        }

        await db.StreamDeleteAsync(keys.Outbox, [.. entries.Select(e => e.Id)]).ConfigureAwait(false);
        telemetry.Relayed(entries.Length);
        if (_waitingForBreaker)
        {
            _waitingForBreaker = false;
            LogResumed(logger);
        }

        return entries.Length;
    }

    private async Task<bool> TryLeaseAsync(OutboxOptions settings)
    {
        var held = (int)await redis.GetDatabase().ScriptEvaluateAsync(LeaseScript, [keys.OutboxLease], [_instance, (long)settings.LeaseTime.TotalMilliseconds]).ConfigureAwait(false) == 1;
        if (held && !IsLeader)
        {
            LogLeader(logger, _instance);
        }

        IsLeader = held;
        return held;
    }

    private async Task SampleAsync()
    {
        var db = redis.GetDatabase();
        var oldest = await db.StreamRangeAsync(keys.Outbox, "-", "+", 1).ConfigureAwait(false);
        var length = await db.StreamLengthAsync(keys.Outbox).ConfigureAwait(false);
        var lag = 0.0;
        if (oldest.Length == 1 && long.TryParse(((string)oldest[0].Id!).Split('-')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            lag = Math.Max(0, (time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(ms)).TotalSeconds);
        }

        telemetry.Sample(lag, length);
    }

    private void NoteBreakerOpen()
    {
        if (!_waitingForBreaker)
        {
            _waitingForBreaker = true;
            LogWaitingForBreaker(logger);
        }
    }

    private async Task DelayQuietlyAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    [LoggerMessage(EventId = 4501, Level = LogLevel.Information, Message = "Outbox relay: this process ({Instance}) holds the lease and relays job changes to Supabase.")]
    private static partial void LogLeader(ILogger logger, string instance);

    [LoggerMessage(EventId = 4502, Level = LogLevel.Warning, Message = "Outbox relay: the supabase breaker is OPEN; job changes wait in the outbox.")]
    private static partial void LogWaitingForBreaker(ILogger logger);

    [LoggerMessage(EventId = 4503, Level = LogLevel.Information, Message = "Outbox relay: Supabase accepts writes again; relaying.")]
    private static partial void LogResumed(ILogger logger);

    [LoggerMessage(EventId = 4506, Level = LogLevel.Error, Message = "Outbox relay: entry {EntryId} is not a job record; passed over.")]
    private static partial void LogUnreadable(ILogger logger, string entryId);

    [LoggerMessage(EventId = 4507, Level = LogLevel.Error, Message = "Outbox relay failed unexpectedly; the batch stays in the outbox and is tried again.")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4505, Level = LogLevel.Warning, Message = "Outbox relay: Supabase is not configured (Providers:Supabase); job changes wait in the outbox. Set Outbox:Enabled=false where no Supabase is used.")]
    private static partial void LogNotConfigured(ILogger logger);

    [LoggerMessage(EventId = 4504, Level = LogLevel.Warning, Message = "Outbox relay: writing to Supabase failed ({Error}); the batch stays in the outbox and is written again.")]
    private static partial void LogRelayFailed(ILogger logger, string error);
}
