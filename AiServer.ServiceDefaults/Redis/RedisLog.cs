using Microsoft.Extensions.Logging;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>The client's log messages (event ids 7100-7199). Never logs passwords or values.</summary>
internal static partial class RedisLog
{
    [LoggerMessage(7100, LogLevel.Information, "Connected to Redis at {EndPoint} ({Role} connection)")]
    public static partial void Connected(ILogger logger, string endPoint, RedisConnectionRole role);

    [LoggerMessage(7101, LogLevel.Information, "Reconnected to Redis at {EndPoint} ({Role} connection) after {Attempts} attempts")]
    public static partial void Reconnected(ILogger logger, string endPoint, RedisConnectionRole role, int attempts);

    [LoggerMessage(7102, LogLevel.Warning, "Lost the {Role} connection to Redis at {EndPoint}; {InFlight} in-flight commands failed")]
    public static partial void ConnectionLost(ILogger logger, Exception reason, RedisConnectionRole role, string endPoint, int inFlight);

    [LoggerMessage(7103, LogLevel.Warning, "Could not connect to Redis at {EndPoint} ({Role} connection, attempt {Attempt}): {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string endPoint, RedisConnectionRole role, int attempt, string reason);

    [LoggerMessage(7104, LogLevel.Warning, "Redis at {EndPoint} is not reachable at start-up ({Reason}); the service starts anyway, readiness reports Redis unhealthy and the client keeps reconnecting in the background")]
    public static partial void NotReachableAtStart(ILogger logger, string endPoint, string reason);

    [LoggerMessage(7105, LogLevel.Error, "A Redis subscription handler for channel {Channel} threw")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string channel);

    [LoggerMessage(7106, LogLevel.Warning, "Could not re-subscribe {Count} Redis channels after reconnecting; retrying on the next connection")]
    public static partial void ResubscribeFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(7107, LogLevel.Debug, "Re-subscribed {Count} Redis channels")]
    public static partial void Resubscribed(ILogger logger, int count);
}
