using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// Pub/sub on its own connection. Handlers are kept here, so every (re)connection subscribes to all channels again;
/// messages go through a queue to one dispatcher task, so handlers never run on the connection's reader.
/// </summary>
internal sealed class RedisSubscriber : IRedisSubscriber, IAsyncDisposable
{
    private readonly ManagedConnection _commands;
    private readonly ManagedConnection _connection;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Action<string, RedisValue>[]> _handlers = new(StringComparer.Ordinal);
    private readonly Channel<(string Channel, RedisValue Message)> _messages =
        Channel.CreateUnbounded<(string, RedisValue)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    private readonly Task _dispatcher;

    public RedisSubscriber(ManagedConnection commands, RedisConnectionSettings settings, string clientName, RedisOptions options, RedisMetrics metrics, ILogger logger)
    {
        _commands = commands;
        _logger = logger;
        _connection = new ManagedConnection(
            settings,
            RedisConnectionRole.Subscriber,
            clientName + ":subscriber",
            options,
            metrics,
            logger,
            push: (channel, message) => _messages.Writer.TryWrite((channel, message)),
            onConnected: ResubscribeAsync);
        _dispatcher = Task.Run(DispatchAsync);
    }

    public bool IsConnected => _connection.IsConnected;

    internal ManagedConnection Connection => _connection;

    public ValueTask<long> PublishAsync(string channel, RedisValue message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return _commands.SendAsync(RedisCommand.Publish, RespProcessors.Int64, cancellationToken, channel, message);
    }

    public async ValueTask<IAsyncDisposable> SubscribeAsync(string channel, Action<string, RedisValue> handler, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentNullException.ThrowIfNull(handler);
        cancellationToken.ThrowIfCancellationRequested();
        ValueTask<bool> confirmation = default;
        bool sent = false;
        lock (_lock)
        {
            bool first = !_handlers.TryGetValue(channel, out Action<string, RedisValue>[]? existing);
            _handlers[channel] = [.. existing ?? [], handler];

            // Sent under the lock (SendAsync only copies the command into the pipe), so SUBSCRIBE and UNSUBSCRIBE for a
            // channel reach Redis in the order its handler list changed. Not cancelable once the handler is registered:
            // a SUBSCRIBE that was never sent would leave the handler without messages.
            if (first && _connection.Current is { } connection)
            {
                confirmation = connection.SendAsync(RedisCommand.Subscribe, RespProcessors.Ignore, CancellationToken.None, channel);
                sent = true;
            }
        }

        _connection.EnsureStarted();
        if (sent)
        {
            try
            {
                await confirmation.ConfigureAwait(false);
            }
            catch (RedisConnectionException)
            {
                // The connection broke; the next one subscribes to every registered channel.
            }
        }

        return new Subscription(this, channel, handler);
    }

    public async ValueTask DisposeAsync()
    {
        _messages.Writer.TryComplete();
        await _connection.DisposeAsync().ConfigureAwait(false);
        await _dispatcher.ConfigureAwait(false);
    }

    private async Task UnsubscribeAsync(string channel, Action<string, RedisValue> handler)
    {
        ValueTask<bool> confirmation = default;
        bool sent = false;
        lock (_lock)
        {
            if (!_handlers.TryGetValue(channel, out Action<string, RedisValue>[]? existing))
            {
                return;
            }

            // One registration ends, even when the same delegate was subscribed twice.
            int index = Array.IndexOf(existing, handler);
            if (index < 0)
            {
                return;
            }

            if (existing.Length > 1)
            {
                _handlers[channel] = [.. existing[..index], .. existing[(index + 1)..]];
            }
            else
            {
                _handlers.Remove(channel);

                // Under the lock, like SUBSCRIBE: a concurrent first subscriber's SUBSCRIBE then follows this one.
                if (_connection.Current is { } connection)
                {
                    confirmation = connection.SendAsync(RedisCommand.Unsubscribe, RespProcessors.Ignore, CancellationToken.None, channel);
                    sent = true;
                }
            }
        }

        if (sent)
        {
            try
            {
                await confirmation.ConfigureAwait(false);
            }
            catch (RedisException)
            {
                // Disconnected or timed out: the next connection only subscribes to registered channels anyway.
            }
        }
    }

    private async Task ResubscribeAsync(RedisConnection connection, CancellationToken cancellationToken)
    {
        Task<bool>[] confirmations;
        lock (_lock)
        {
            // One SUBSCRIBE per channel: each gets exactly one confirmation, which keeps replies matched in order.
            // Sent under the lock, so a concurrent UNSUBSCRIBE of a channel cannot overtake its SUBSCRIBE.
            confirmations = [.. _handlers.Keys.Select(channel => connection.SendAsync(RedisCommand.Subscribe, RespProcessors.Ignore, cancellationToken, channel).AsTask())];
        }

        if (confirmations.Length == 0)
        {
            return;
        }

        try
        {
            await Task.WhenAll(confirmations).ConfigureAwait(false);
            RedisLog.Resubscribed(_logger, confirmations.Length);
        }
        catch (Exception ex) when (ex is RedisException or OperationCanceledException)
        {
            RedisLog.ResubscribeFailed(_logger, ex, confirmations.Length);
        }
    }

    private async Task DispatchAsync()
    {
        await foreach ((string channel, RedisValue message) in _messages.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            Action<string, RedisValue>[]? handlers;
            lock (_lock)
            {
                _handlers.TryGetValue(channel, out handlers);
            }

            foreach (Action<string, RedisValue> handler in handlers ?? [])
            {
                try
                {
                    handler(channel, message);
                }
#pragma warning disable CA1031 // A failing handler must not stop the delivery of later messages; it is logged.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    RedisLog.HandlerFailed(_logger, ex, channel);
                }
            }
        }
    }

    private sealed class Subscription(RedisSubscriber owner, string channel, Action<string, RedisValue> handler) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                await owner.UnsubscribeAsync(channel, handler).ConfigureAwait(false);
            }
        }
    }
}
