using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>The <see cref="IRedisClient"/>: owns the command, subscriber and blocking connections.</summary>
internal sealed class RedisClient : IRedisClient, IAsyncDisposable, IDisposable
{
    private readonly RedisConnectionSettings _settings;
    private readonly ManagedConnection _commands;
    private readonly BlockingConnectionPool _blocking;
    private readonly RedisSubscriber _subscriber;
    private readonly RedisDatabase _database;
    private readonly RedisMetrics _metrics;
    private bool _ownsMetrics;
    private int _disposed;

    public RedisClient(RedisConnectionSettings settings, RedisOptions options, RedisMetrics metrics, ILogger logger, string clientName)
    {
        _settings = settings;
        _metrics = metrics;
        string name = RedisConnectionSettings.SanitizeClientName(settings.ClientName ?? clientName);
        _commands = new ManagedConnection(settings, RedisConnectionRole.Commands, name, options, metrics, logger);
        _blocking = new BlockingConnectionPool(settings, name, metrics);
        _subscriber = new RedisSubscriber(_commands, settings, name, options, metrics, logger);
        _database = new RedisDatabase(_commands, _blocking, settings);
        metrics.StatusProvider = GetStatus;
    }

    public bool IsConnected => _commands.IsConnected;

    internal RedisConnectionSettings Settings => _settings;

    /// <summary>A client for tests, benchmarks and tools, outside dependency injection.</summary>
    public static RedisClient Create(string connectionString, RedisOptions? options = null, RedisMetrics? metrics = null, ILogger? logger = null, string clientName = "aiserver") =>
        new(RedisConnectionSettings.Parse(connectionString), options ?? new RedisOptions(), metrics ?? new RedisMetrics(), logger ?? NullLogger.Instance, clientName)
        {
            _ownsMetrics = metrics is null,
        };

    public IRedisDatabase GetDatabase() => _database;

    public IRedisSubscriber GetSubscriber() => _subscriber;

    public RedisConnectionStatus GetStatus() => new(
        _settings.EndPoint,
        _commands.IsConnected,
        _subscriber.IsConnected,
        _commands.ReconnectCount + _subscriber.Connection.ReconnectCount,
        _commands.InFlight,
        (_commands.LastError ?? _subscriber.Connection.LastError)?.Message);

    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _subscriber.Connection.EnsureStarted();
        await _commands.WaitConnectedAsync(cancellationToken).ConfigureAwait(false);
        await _subscriber.Connection.WaitConnectedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>For containers disposed synchronously (a plain ServiceProvider.Dispose would otherwise throw).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _metrics.StatusProvider = null;
        await _subscriber.DisposeAsync().ConfigureAwait(false);
        await _blocking.DisposeAsync().ConfigureAwait(false);
        await _commands.DisposeAsync().ConfigureAwait(false);
        if (_ownsMetrics)
        {
            _metrics.Dispose();
        }
    }
}
