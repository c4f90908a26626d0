using System.Globalization;
using AiServer.ServiceDefaults.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// The fleet-wide audit trail of manual breaker actions: the Redis stream <c>{prefix}audit</c> (DESIGN's key layout),
/// capped near <see cref="MaxEntries"/> entries, so it survives the file log's rotation and any instance reads what
/// every instance did. Without Redis (or while it is unreachable) entries go to a bounded local list, marked local.
/// </summary>
internal sealed partial class BreakerAuditTrail(IServiceProvider services, IOptions<RedisOptions> redisOptions, TimeProvider time, ILogger<BreakerAuditTrail> logger)
{
    public const int MaxEntries = 10_000;
    private const int MaxLocalEntries = 1_000;
    private readonly LinkedList<BreakerAuditEntry> _local = new();
    private readonly Lock _gate = new();

    private RedisKey Key => redisOptions.Value.KeyPrefix + "audit";

    public async Task RecordAsync(string action, string breaker, string reason, string instance, string actor)
    {
        var at = time.GetUtcNow();
        LogManualAction(logger, action, breaker, instance, actor, reason);
        if (services.GetService<IConnectionMultiplexer>() is { } redis)
        {
            try
            {
                await redis.GetDatabase().StreamAddAsync(
                    Key,
                    [
                        new("at", at.ToString("O", CultureInfo.InvariantCulture)),
                        new("action", action),
                        new("breaker", breaker),
                        new("reason", reason),
                        new("instance", instance),
                        new("actor", actor),
                    ],
                    maxLength: MaxEntries,
                    useApproximateMaxLength: true).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogAuditWriteFailed(logger, ex.GetType().Name);
            }
        }

        lock (_gate)
        {
            _local.AddFirst(new BreakerAuditEntry("local-" + at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), at, action, breaker, reason, instance, actor));
            while (_local.Count > MaxLocalEntries)
            {
                _local.RemoveLast();
            }
        }
    }

    /// <summary>The newest entries first: the fleet's from Redis (plus this instance's local ones), or the local ones alone.</summary>
    public async Task<(string Source, IReadOnlyList<BreakerAuditEntry> Entries)> ReadAsync(int limit)
    {
        List<BreakerAuditEntry> local;
        lock (_gate)
        {
            local = [.. _local.Take(limit)];
        }

        if (services.GetService<IConnectionMultiplexer>() is not { } redis)
        {
            return ("local", local);
        }

        try
        {
            var entries = await redis.GetDatabase().StreamRangeAsync(Key, "-", "+", count: limit, messageOrder: Order.Descending).ConfigureAwait(false);
            var fleet = entries.Select(e => new BreakerAuditEntry(
                e.Id.ToString(),
                DateTimeOffset.TryParse(e["at"].ToString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : DateTimeOffset.MinValue,
                e["action"].ToString(),
                e["breaker"].ToString(),
                e["reason"].ToString(),
                e["instance"].ToString(),
                e["actor"].ToString()));
            return ("redis", [.. fleet.Concat(local).OrderByDescending(e => e.At).Take(limit)]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogAuditReadFailed(logger, ex.GetType().Name);
            return ("local", local);
        }
    }

    [LoggerMessage(4100, LogLevel.Information, "Audit trail: {Action} on circuit breaker {Breaker} by {Actor} through instance {Instance}: {Reason}")]
    private static partial void LogManualAction(ILogger logger, string action, string breaker, string instance, string actor, string reason);

    [LoggerMessage(4101, LogLevel.Warning, "The audit trail could not be written to Redis ({Error}); the entry is kept on this instance.")]
    private static partial void LogAuditWriteFailed(ILogger logger, string error);

    [LoggerMessage(4102, LogLevel.Warning, "The audit trail could not be read from Redis ({Error}); answering with this instance's entries.")]
    private static partial void LogAuditReadFailed(ILogger logger, string error);
}
