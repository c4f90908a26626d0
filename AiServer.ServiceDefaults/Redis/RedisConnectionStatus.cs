namespace AiServer.ServiceDefaults.Redis;

/// <summary>A snapshot of the client's connections, for health checks, dashboards and diagnostics.</summary>
/// <param name="Endpoint">The configured <c>host:port</c>.</param>
/// <param name="IsConnected">Whether the command connection is up.</param>
/// <param name="IsSubscriberConnected">Whether the pub/sub connection is up.</param>
/// <param name="ReconnectCount">Successful reconnections (of either connection) since the client started.</param>
/// <param name="InFlight">Commands sent on the command connection and not yet answered.</param>
/// <param name="LastError">Why the last connection attempt or connection failed, if it did; never contains secrets.</param>
public sealed record RedisConnectionStatus(
    string Endpoint,
    bool IsConnected,
    bool IsSubscriberConnected,
    long ReconnectCount,
    int InFlight,
    string? LastError);
