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
        bool first;
        lock (_lock)
        {
            first = !_handlers.TryGetValue(channel, out Action<string, RedisValue>[]? existing);
            _handlers[channel] = [.. existing ?? [], handler];
        }

        _connection.EnsureStarted();
        if (first && _connection.Current is { } connection)
        {
            try
            {
                await connection.SendAsync(RedisCommand.Subscribe, RespProcessors.Ignore, cancellationToken, channel).ConfigureAwait(false);
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
        bool last;
        lock (_lock)
        {
            if (!_handlers.TryGetValue(channel, out Action<string, RedisValue>[]? existing))
            {
                return;
            }

            Action<string, RedisValue>[] remaining = [.. existing.Where(h => h != handler)];
            last = remaining.Length == 0;
            if (last)
            {
                _handlers.Remove(channel);
            }
            else
            {
                _handlers[channel] = remaining;
            }
        }

        if (last && _connection.Current is { } connection)
        {
            try
            {
                await connection.SendAsync(RedisCommand.Unsubscribe, RespProcessors.Ignore, CancellationToken.None, channel).ConfigureAwait(false);
            }
            catch (RedisException)
            {
                // Disconnected or timed out: the next connection only subscribes to registered channels anyway.
            }
        }
    }

    private async Task ResubscribeAsync(RedisConnection connection, CancellationToken cancellationToken)
    {
        string[] channels;
        lock (_lock)
        {
            channels = [.. _handlers.Keys];
        }

        if (channels.Length == 0)
        {
            return;
        }

        try
        {
            // One SUBSCRIBE per channel: each gets exactly one confirmation, which keeps replies matched in order.
            var confirmations = new Task<bool>[channels.Length];
            for (int i = 0; i < channels.Length; i++)
            {
                confirmations[i] = connection.SendAsync(RedisCommand.Subscribe, RespProcessors.Ignore, cancellationToken, channels[i]).AsTask();
            }

            await Task.WhenAll(confirmations).ConfigureAwait(false);
            RedisLog.Resubscribed(_logger, channels.Length);
        }
        catch (Exception ex) when (ex is RedisException or OperationCanceledException)
        {
            RedisLog.ResubscribeFailed(_logger, ex, channels.Length);
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
