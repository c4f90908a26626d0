namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// Pub/sub over a dedicated connection (like StackExchange.Redis's <c>ISubscriber</c>). Subscriptions survive
/// reconnections: the client subscribes again on every new connection. Messages published while the subscriber was
/// disconnected are lost (Redis pub/sub does not store them), so state kept in Redis should also be re-read.
/// </summary>
public interface IRedisSubscriber
{
    /// <summary>Whether the pub/sub connection is up.</summary>
    bool IsConnected { get; }

    /// <summary>PUBLISH (sent on the command connection).</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The number of clients that received the message.</returns>
    ValueTask<long> PublishAsync(string channel, RedisValue message, CancellationToken cancellationToken = default);

    /// <summary>
    /// SUBSCRIBE: <paramref name="handler"/> gets every message on <paramref name="channel"/>, in order, on a background
    /// dispatcher (never on the connection's reader; a slow handler delays later messages, not other Redis traffic).
    /// When connected, returns after Redis confirmed the subscription; when not, returns at once and the subscription
    /// is made when the connection comes up. Dispose the result to unsubscribe.
    /// </summary>
    /// <param name="channel">The channel.</param>
    /// <param name="handler">Called with the channel and the message; exceptions are logged and swallowed.</param>
    /// <param name="cancellationToken">Cancels the wait for the confirmation.</param>
    /// <returns>A handle that unsubscribes this handler when disposed.</returns>
    ValueTask<IAsyncDisposable> SubscribeAsync(string channel, Action<string, RedisValue> handler, CancellationToken cancellationToken = default);
}
