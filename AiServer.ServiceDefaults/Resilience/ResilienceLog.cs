using Microsoft.Extensions.Logging;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>Source-generated log messages of the resilience components (event ids 4000-4099).</summary>
internal static partial class ResilienceLog
{
    [LoggerMessage(4000, LogLevel.Warning, "Circuit breaker {Breaker} {From} -> {To} ({Source}, version {Version}, by {OpenedBy}): {Reason}")]
    public static partial void Transition(this ILogger logger, string breaker, CircuitState from, CircuitState to, string source, long version, string? openedBy, string? reason);

    [LoggerMessage(4001, LogLevel.Warning, "Manual action {Action} on circuit breaker {Breaker} by instance {InstanceId} at {Time:O}: {Reason}")]
    public static partial void ManualAction(this ILogger logger, string action, string breaker, string instanceId, DateTimeOffset time, string? reason);

    [LoggerMessage(4002, LogLevel.Warning, "Fleet breaker sync lost Redis; breakers continue locally with the same rules")]
    public static partial void SyncLost(this ILogger logger, Exception exception);

    [LoggerMessage(4003, LogLevel.Information, "Fleet breaker sync connected: {Count} breakers loaded from Redis")]
    public static partial void SyncConnected(this ILogger logger, int count);

    [LoggerMessage(4004, LogLevel.Debug, "Fleet breaker sync: ignored stale state of {Breaker} (version {Version} <= {Current})")]
    public static partial void StaleIgnored(this ILogger logger, string breaker, long version, long current);

    [LoggerMessage(4005, LogLevel.Warning, "Fleet breaker sync operation {Operation} on {Breaker} failed; applied locally")]
    public static partial void OperationFailed(this ILogger logger, string operation, string breaker, Exception exception);

    [LoggerMessage(4006, LogLevel.Information, "Reconciled circuit breaker {Breaker}: local {Local}, fleet {Fleet}, pushed local state: {Pushed}")]
    public static partial void Reconciled(this ILogger logger, string breaker, CircuitState local, CircuitState fleet, bool pushed);

    [LoggerMessage(4010, LogLevel.Warning, "Retry {Attempt} of operation {Operation} ({Preset}) in {Delay}: {Cause}")]
    public static partial void Retrying(this ILogger logger, int attempt, string operation, string preset, TimeSpan delay, string cause);

    [LoggerMessage(4011, LogLevel.Information, "Provider behind {Breaker} is throttling; shared cool-down of {Duration}")]
    public static partial void Throttled(this ILogger logger, string breaker, TimeSpan duration);
}
