using System.Collections.Concurrent;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// Connections for blocking commands (XREADGROUP ... BLOCK, BLPOP, ...), one command at a time each, so a blocked
/// command never holds up the shared connection. Idle ones are kept for reuse; a connection whose command timed out or
/// was canceled is closed, because its late reply would otherwise be read by the next caller.
/// </summary>
internal sealed class BlockingConnectionPool(RedisConnectionSettings settings, string clientName, RedisMetrics metrics) : IAsyncDisposable
{
    private const int MaxIdle = 8;

    private readonly ConcurrentQueue<RedisConnection> _idle = new();
    private readonly ConcurrentDictionary<RedisConnection, byte> _open = new();
    private volatile bool _disposed;

    public async ValueTask<T> ExecuteAsync<T>(RedisCommand command, RespProcessor<T> processor, TimeSpan timeout, RedisValue[] args, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RedisConnection connection = await RentAsync(cancellationToken).ConfigureAwait(false);
        bool reusable = false;
        try
        {
            T result = await connection.SendAsync(command, processor, timeout, cancellationToken, args).ConfigureAwait(false);
            reusable = true;
            return result;
        }
        catch (RedisServerException)
        {
            reusable = true;
            throw;
        }
        finally
        {
            if (reusable && connection.IsAlive && !_disposed && _idle.Count < MaxIdle)
            {
                _idle.Enqueue(connection);
            }
            else
            {
                _open.TryRemove(connection, out _);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (RedisConnection connection in _open.Keys)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _open.Clear();
        _idle.Clear();
    }

    private async ValueTask<RedisConnection> RentAsync(CancellationToken cancellationToken)
    {
        while (_idle.TryDequeue(out RedisConnection? idle))
        {
            if (idle.IsAlive)
            {
                return idle;
            }

            _open.TryRemove(idle, out _);
            await idle.DisposeAsync().ConfigureAwait(false);
        }

        RedisConnection connection = await RedisConnection.ConnectAsync(
            settings, RedisConnectionRole.Blocking, clientName + ":blocking", metrics, push: null, onFailed: null, cancellationToken).ConfigureAwait(false);
        _open[connection] = 0;
        return connection;
    }
}
