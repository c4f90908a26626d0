using System.Runtime.CompilerServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// Keeps this instance's breakers in step with the fleet: loads every breaker before the instance reports ready,
/// applies the changes other instances publish, re-reads everything every <see cref="FleetSyncOptions.ResyncInterval"/>
/// (so a lost message heals), runs the breakers' Redis work in the background, falls back to local breakers when Redis
/// is unreachable and reconciles when it returns.
/// </summary>
internal sealed class FleetSyncService : BackgroundService, IFleetLink
{
    /// <summary>
    /// Failed operations in a row (timeouts, server errors) after which the instance falls back to local breakers.
    /// One slow answer is no reason to let every instance probe on its own; a lost connection is (at once).
    /// </summary>
    internal const int FailuresBeforeFallback = 3;

    private readonly CircuitBreakerRegistry _registry;
    private readonly IFleetStateStore _store;
    private readonly FleetSyncOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _instanceId;
    private readonly CancellationTokenSource _stopping = new();
    private IAsyncDisposable? _subscription;
    private Task<IAsyncDisposable>? _subscribing;
    private volatile bool _connected;
    private volatile bool _initialLoadCompleted;
    private long _lastSync;
    private int _failuresInARow;
    private string? _lastError;

    public FleetSyncService(CircuitBreakerRegistry registry, IFleetStateStore store, IOptions<FleetSyncOptions> options, TimeProvider timeProvider, ILogger<FleetSyncService> logger)
    {
        _registry = registry;
        _store = store;
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        _instanceId = registry.InstanceId;
        registry.AttachLink(this);
        registry.Created += breaker => _ = LoadAsync(breaker);
    }

    public bool IsConnected => _connected;

    public string InstanceId => _instanceId;

    public FleetSyncOptions Options => _options;

    /// <summary>Every breaker has been loaded from Redis once (the readiness condition).</summary>
    public bool InitialLoadCompleted => _initialLoadCompleted;

    public string? LastError => _lastError;

    /// <summary>Seconds since the last complete read of the fleet state (null before the first).</summary>
    public double? SyncLagSeconds
    {
        get
        {
            var last = Volatile.Read(ref _lastSync);
            return last == 0 ? null : _time.GetElapsedTime(last).TotalSeconds;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var link = stoppingToken.Register(_stopping.Cancel);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SyncOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                OnFailed(ex);
            }

            try
            {
                await Task.Delay(_options.ResyncInterval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }

        if (_subscription is { } subscription)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One round: (re)subscribe and reconcile when cut off, else re-read every breaker; then tend probe leases.</summary>
    internal async Task SyncOnceAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.OperationTimeout * Math.Max(4, _registry.Breakers.Count));
        var token = timeout.Token;
        var wasConnected = _connected;
        if (_subscription is null)
        {
            // One SUBSCRIBE at a time, outliving the round: a round that times out stops waiting for it, and the next
            // round waits for the same one instead of registering another handler.
            _subscribing ??= SubscribeAsync();
            try
            {
                _subscription = await _subscribing.WaitAsync(token).ConfigureAwait(false);
            }
            finally
            {
                if (_subscribing.IsCompleted)
                {
                    _subscribing = null;
                }
            }
        }

        foreach (var breaker in _registry.Breakers)
        {
            if (breaker.HasPendingManual)
            {
                // An operator's action that has not reached Redis (taken while Redis was unreachable, or its write failed
                // or was abandoned): it held locally, now it goes fleet-wide — before a read could revert it.
                await breaker.Manual.WritePendingAsync(_store, _instanceId, token).ConfigureAwait(false);
                continue;
            }

            var record = await _store.ReadAsync(breaker.Name, token).ConfigureAwait(false);
            if (NeedsRestore(breaker, record, wasConnected))
            {
                var pushed = await RestoreAsync(breaker, token).ConfigureAwait(false);
                _logger.Reconciled(breaker.Name, breaker.Snapshot.State, record.State, pushed);
                continue;
            }

            breaker.ApplyFleet(record, authoritative: !record.Exists);
        }

        Volatile.Write(ref _lastSync, _time.GetTimestamp());
        OnSucceeded();
        if (!wasConnected)
        {
            _connected = true;
            _initialLoadCompleted = true;
            _lastError = null;
            _logger.SyncConnected(_registry.Breakers.Count);
        }

        foreach (var breaker in _registry.Breakers)
        {
            breaker.Lease.Tend(this, breaker.Snapshot);
        }
    }

    /// <summary>
    /// After a reconnect, a circuit this instance opened alone while cut off is pushed to the fleet; after Redis lost
    /// its data, the last known open or forced state is restored.
    /// </summary>
    private static bool NeedsRestore(FleetCircuitBreaker breaker, FleetStateRecord record, bool wasConnected)
    {
        var snapshot = breaker.Snapshot;
        if (!record.Exists && snapshot.Version > 0 && (snapshot.Forced != ForcedState.None || snapshot.State == CircuitState.Open))
        {
            return true;
        }

        return !wasConnected && breaker.NeedsPush(record);
    }

    private async Task<bool> RestoreAsync(FleetCircuitBreaker breaker, CancellationToken token)
    {
        var snapshot = breaker.Snapshot;

        // A forced state is restored in its opener's name, not as this instance's own action.
        var opener = string.IsNullOrEmpty(snapshot.OpenedBy) ? _instanceId : snapshot.OpenedBy;
        FleetStateRecord result = snapshot.Forced switch
        {
            ForcedState.Open => await _store.ApplyManualAsync(breaker.Name, ManualAction.ForceOpen, opener, snapshot.Reason, breaker.Options, token).ConfigureAwait(false),
            ForcedState.Closed => await _store.ApplyManualAsync(breaker.Name, ManualAction.ForceClose, opener, snapshot.Reason, breaker.Options, token).ConfigureAwait(false),
            _ => await _store.ReportTripAsync(breaker.Name, _instanceId, snapshot.Reason ?? "opened while Redis was unreachable", breaker.Options, token).ConfigureAwait(false),
        };
        breaker.ApplyFleet(result, authoritative: true);
        return true;
    }

    private async Task<IAsyncDisposable> SubscribeAsync()
    {
        // Each attempt has its own handler, switched off when the attempt fails: the Redis client keeps a handler whose
        // SUBSCRIBE failed without handing out its subscription, and a later attempt must not make it deliver twice.
        var active = new StrongBox<bool>(true);
        try
        {
            return await _store.SubscribeAsync(record => { if (active.Value) OnPublished(record); }, _stopping.Token).ConfigureAwait(false);
        }
        catch
        {
            active.Value = false;
            throw;
        }
    }

    private void OnPublished(FleetStateRecord record)
    {
        if (_connected && _registry.TryGetFleet(record.Name, out var breaker))
        {
            breaker.ApplyFleet(record);
        }
    }

    private void OnSucceeded()
    {
        if (Volatile.Read(ref _failuresInARow) != 0)
        {
            Volatile.Write(ref _failuresInARow, 0);
        }
    }

    /// <summary>
    /// A Redis operation failed: a lost connection switches to local breakers at once, other failures (a timeout, a
    /// server error) only when <see cref="FailuresBeforeFallback"/> happened in a row.
    /// </summary>
    private void OnFailed(Exception exception)
    {
        _lastError = exception.GetType().Name + ": " + exception.Message;
        if (exception is RedisConnectionException || exception.InnerException is RedisConnectionException
            || Interlocked.Increment(ref _failuresInARow) >= FailuresBeforeFallback)
        {
            MarkDisconnected(exception);
        }
    }

    private void MarkDisconnected(Exception exception)
    {
        if (_connected)
        {
            _connected = false;
            _logger.SyncLost(exception);
            foreach (var breaker in _registry.Breakers)
            {
                // An unused lease goes back to the fleet (best effort) instead of blocking its slot for the lease's PX.
                // A lease in use is handed back when its probe ends (the result is judged locally then).
                breaker.Lease.ReleaseIfIdle(this, TimeSpan.Zero);
            }
        }
    }

    /// <summary>A breaker created after the start (a name first used at run time) loads its fleet state at once.</summary>
    private async Task LoadAsync(FleetCircuitBreaker breaker)
    {
        if (await ExchangeAsync(breaker.Name, "load", (store, ct) => store.ReadAsync(breaker.Name, ct)).ConfigureAwait(false) is { } record)
        {
            breaker.ApplyFleet(record);
        }
    }

    /// <summary>Runs Redis work off the caller's thread, so a slow or dead Redis never holds up a request.</summary>
    public Task<T?> ExchangeAsync<T>(string breaker, string operation, Func<IFleetStateStore, CancellationToken, Task<T>> call) => Task.Run(async () =>
    {
        try
        {
            using var timeout = OperationTimeout();
            var result = await call(_store, timeout.Token).ConfigureAwait(false);
            OnSucceeded();
            return result;
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            _logger.OperationFailed(operation, breaker, ex);
            OnFailed(ex);
            return default;
        }
        catch (OperationCanceledException)
        {
            return default;
        }
    });

    private CancellationTokenSource OperationTimeout()
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        cts.CancelAfter(_options.OperationTimeout);
        return cts;
    }

    public override void Dispose()
    {
        _stopping.Dispose();
        base.Dispose();
    }
}
