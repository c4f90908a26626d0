namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// The breakers' way to the fleet (implemented by <see cref="FleetSyncService"/>): it exchanges fleet records with the
/// store off the caller's path. A breaker or its probe lease says which store call to make; the link runs it under
/// the sync's operation timeout, counts failures (a lost connection falls back to local breakers at once), logs them,
/// and hands back the answer. Nothing here knows a breaker's internals.
/// </summary>
internal interface IFleetLink
{
    /// <summary>Redis is reachable and the initial load is done: breakers follow the fleet state.</summary>
    bool IsConnected { get; }

    /// <summary>This instance's id, as the store records it (who opened a circuit, who holds a lease).</summary>
    string InstanceId { get; }

    /// <summary>The sync's settings (probe lease lifetime and idle release).</summary>
    FleetSyncOptions Options { get; }

    /// <summary>
    /// Runs <paramref name="call"/> on a pool thread, never on the caller's, and returns its answer — or default when
    /// it failed, timed out or the sync stopped (the failure is logged and counted here, never thrown).
    /// </summary>
    /// <param name="breaker">The breaker the call is for (logs).</param>
    /// <param name="operation">What the call does (logs): failure, trip, failure-reset, probe-lease, probe-result, probe-release, cooldown, manual.</param>
    /// <param name="call">The store call; its token carries the sync's operation timeout, never a caller's.</param>
    Task<T?> ExchangeAsync<T>(string breaker, string operation, Func<IFleetStateStore, CancellationToken, Task<T>> call);
}
