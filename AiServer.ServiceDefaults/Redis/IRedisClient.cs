namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// The Redis client (like StackExchange.Redis's <c>IConnectionMultiplexer</c>): one multiplexed, pipelined connection
/// for commands shared by every caller, a dedicated connection for pub/sub, and short-lived dedicated connections for
/// blocking commands. Registered as a singleton by <see cref="RedisClientExtensions.AddRedisClient"/>.
/// </summary>
public interface IRedisClient
{
    /// <summary>Whether the command connection is up. Commands fail fast with <see cref="RedisConnectionException"/> while it is not.</summary>
    bool IsConnected { get; }

    /// <summary>The commands (cheap; always the same instance).</summary>
    /// <returns>The database.</returns>
    IRedisDatabase GetDatabase();

    /// <summary>Pub/sub (cheap; always the same instance).</summary>
    /// <returns>The subscriber.</returns>
    IRedisSubscriber GetSubscriber();

    /// <summary>State of the connections: connected, reconnect count, commands in flight, last error.</summary>
    /// <returns>A snapshot.</returns>
    RedisConnectionStatus GetStatus();

    /// <summary>
    /// Starts connecting (if not yet) and waits until both connections are up. Unreachable Redis: keeps trying until
    /// <paramref name="cancellationToken"/> is canceled (reconnection goes on in the background after that). Rejected
    /// credentials: throws <see cref="RedisAuthenticationException"/>.
    /// </summary>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>A task that completes when connected.</returns>
    Task ConnectAsync(CancellationToken cancellationToken = default);
}
