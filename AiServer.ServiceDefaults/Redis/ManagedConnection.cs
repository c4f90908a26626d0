using Microsoft.Extensions.Logging;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// A logical connection that stays up: it connects in the background, and when the physical connection breaks it
/// reconnects with exponential backoff and jitter (bounded by <see cref="RedisOptions.ReconnectMaxDelay"/>); the backoff
/// starts over only after a connection stayed up for a while.
/// Commands never wait for a reconnection: while disconnected they fail at once with <see cref="RedisConnectionException"/>.
/// </summary>
internal sealed class ManagedConnection : IAsyncDisposable
{
    // A connection that stayed up this long resets the backoff. One that drops sooner (maxclients, an output buffer
    // limit, a proxy that accepts and closes) keeps backing off, so it cannot reconnect in a tight loop.
    private static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(10);

    private readonly RedisConnectionSettings _settings;
    private readonly RedisConnectionRole _role;
    private readonly string _clientName;
    private readonly RedisOptions _options;
    private readonly RedisMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Action<string, RedisValue>? _push;
    private readonly Func<RedisConnection, CancellationToken, Task>? _onConnected;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _signalLock = new();
    private volatile RedisConnection? _current;
    private volatile Exception? _lastError;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _loopRunning;
    private bool _everConnected;
    private long _reconnects;
    // Consecutive failures (attempts and connections lost before StableAfter) and when the last connection was made;
    // only the connect loop touches them, and only one loop runs at a time.
    private int _failures;
    private long _connectedTimestamp;

    public ManagedConnection(
        RedisConnectionSettings settings,
        RedisConnectionRole role,
        string clientName,
        RedisOptions options,
        RedisMetrics metrics,
        ILogger logger,
        Action<string, RedisValue>? push = null,
        Func<RedisConnection, CancellationToken, Task>? onConnected = null)
    {
        _settings = settings;
        _role = role;
        _clientName = clientName;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _push = push;
        _onConnected = onConnected;
    }

    public bool IsConnected => _current is { IsAlive: true };

    public long ReconnectCount => Interlocked.Read(ref _reconnects);

    public int InFlight => _current?.InFlight ?? 0;

    public Exception? LastError => _lastError;

    /// <summary>The live connection, or null while (re)connecting.</summary>
    public RedisConnection? Current => _current is { IsAlive: true } connection ? connection : null;

    /// <summary>Starts connecting in the background if no attempt is running.</summary>
    public void EnsureStarted()
    {
        if (!_disposed.IsCancellationRequested && _current is not { IsAlive: true } && Interlocked.CompareExchange(ref _loopRunning, 1, 0) == 0)
        {
            _ = Task.Run(ConnectLoopAsync);
        }
    }

    /// <summary>Waits until connected; throws at once when Redis rejects the credentials.</summary>
    public async Task WaitConnectedAsync(CancellationToken cancellationToken)
    {
        EnsureStarted();
        while (true)
        {
            Task changed;
            lock (_signalLock)
            {
                changed = _changed.Task;
            }

            if (IsConnected)
            {
                return;
            }

            if (_lastError is RedisAuthenticationException authentication)
            {
                throw new RedisAuthenticationException(authentication.Message, authentication);
            }

            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends on the live connection, or fails at once (recorded in metrics) while disconnected.</summary>
    public ValueTask<T> SendAsync<T>(RedisCommand command, RespProcessor<T> processor, CancellationToken cancellationToken, params ReadOnlySpan<RedisValue> args)
    {
        RedisConnection? connection = _current;
        if (connection is null)
        {
            _metrics.RecordCommand(command.Name, RedisMetrics.ConnectionError, _metrics.TimeProvider.GetTimestamp());
            EnsureStarted();
            return ValueTask.FromException<T>(NotConnected(command.Name));
        }

        return connection.SendAsync(command, processor, cancellationToken, args);
    }

    public RedisConnectionException NotConnected(string command) => new(
        $"Redis at {_settings.EndPoint} is not connected ({_lastError?.Message ?? "connecting"}); the command {command.ToUpperInvariant()} was not sent. The client reconnects in the background.",
        _lastError);

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        RedisConnection? connection = Interlocked.Exchange(ref _current, null);
        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        Signal();
    }

    private async Task ConnectLoopAsync()
    {
        CancellationToken stopping = _disposed.Token;
        TimeProvider time = _metrics.TimeProvider;
        if (_everConnected)
        {
            // A lost connection counts as a failure, so even the first reconnection waits (with jitter: a fleet that
            // lost Redis together does not come back in lock-step); a connection that did not stay up for StableAfter
            // does not reset the backoff.
            _failures = time.GetElapsedTime(_connectedTimestamp) >= StableAfter ? 1 : _failures + 1;
        }

        int attempt = 0;
        while (!stopping.IsCancellationRequested)
        {
            if (_failures > 0)
            {
                try
                {
                    await Task.Delay(Backoff(_failures), time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            attempt++;
            RedisConnection connection;
            try
            {
                connection = await RedisConnection.ConnectAsync(_settings, _role, _clientName, _metrics, _push, OnConnectionFailed, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _failures++;
                _lastError = ex;
                RedisLog.ConnectFailed(_logger, _settings.EndPoint, _role, attempt, ex.Message);
                Signal();
                continue;
            }

            if (stopping.IsCancellationRequested)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                break;
            }

            _connectedTimestamp = time.GetTimestamp();
            _current = connection;
            _lastError = null;
            if (_everConnected)
            {
                Interlocked.Increment(ref _reconnects);
                _metrics.RecordReconnect();
                RedisLog.Reconnected(_logger, _settings.EndPoint, _role, attempt);
            }
            else
            {
                RedisLog.Connected(_logger, _settings.EndPoint, _role);
            }

            _everConnected = true;
            Volatile.Write(ref _loopRunning, 0);
            if (!connection.IsAlive)
            {
                // It broke while this loop still counted as running, so the failure callback's EnsureStarted did
                // nothing (and may already have cleared _current): report the loss if nobody did, and start again.
                OnConnectionFailed(connection, _lastError ?? new RedisConnectionException("The connection broke right after it was opened."), 0);
                EnsureStarted();
                Signal();
                return;
            }

            // From here on a failure finds the loop finished, and OnConnectionFailed starts the next one.
            if (_onConnected is not null)
            {
                // Published first, then re-subscribed: a concurrent subscriber either sees the connection or is in
                // the snapshot the callback takes, so no subscription is lost (a duplicate SUBSCRIBE is harmless).
                await _onConnected(connection, stopping).ConfigureAwait(false);
            }

            Signal();
            return;
        }

        Volatile.Write(ref _loopRunning, 0);
    }

    private void OnConnectionFailed(RedisConnection connection, Exception reason, int inFlight)
    {
        if (Interlocked.CompareExchange(ref _current, null, connection) != connection)
        {
            return;
        }

        _lastError = reason;
        if (!_disposed.IsCancellationRequested)
        {
            RedisLog.ConnectionLost(_logger, reason, _role, _settings.EndPoint, inFlight);
            EnsureStarted();
        }

        Signal();
    }

    private TimeSpan Backoff(int attempt)
    {
        // Exponential from ReconnectMinDelay, capped at ReconnectMaxDelay, with jitter in [50 %, 100 %] so a fleet
        // that lost Redis together does not reconnect in lock-step.
        double exponential = _options.ReconnectMinDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        double capped = Math.Min(_options.ReconnectMaxDelay.TotalMilliseconds, exponential);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_signalLock)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }
}
