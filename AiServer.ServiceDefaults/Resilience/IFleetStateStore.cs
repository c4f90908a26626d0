namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// Where the fleet state lives (Redis in production). Every write is one atomic step on the store's clock that bumps
/// the version and publishes the result; the caller never waits on it from a request's path.
/// </summary>
internal interface IFleetStateStore
{
    /// <summary>Reads one breaker's state.</summary>
    Task<FleetStateRecord> ReadAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Counts one handled failure in CLOSED fleet-wide (restarting the count when the fleet's previous failure is older
    /// than the monitoring period) and opens the fleet when the count reaches the threshold — or at once when
    /// <paramref name="reachedThreshold"/> says the reporter's own consecutive failures reached it — provided
    /// <see cref="CircuitBreakerOptions.MinimumReporters"/> instances reported failures within the monitoring period.
    /// </summary>
    Task<FleetStateRecord> ReportFailureAsync(string name, string instanceId, string reason, bool reachedThreshold, CircuitBreakerOptions options, CancellationToken cancellationToken);

    /// <summary>A success in CLOSED: the fleet's failure count starts over (a no-op without a new version when it is 0).</summary>
    Task<FleetStateRecord> ResetFailuresAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Reports that <paramref name="instanceId"/> reached the failure threshold on its own (a local OPEN pushed after a
    /// reconnect); opens the fleet when <see cref="CircuitBreakerOptions.MinimumReporters"/> instances reported within
    /// the monitoring period.
    /// </summary>
    Task<FleetStateRecord> ReportTripAsync(string name, string instanceId, string reason, CircuitBreakerOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// Records a HALF_OPEN probe's result (closing or re-opening the circuit) and releases its lease. The result counts
    /// only while <paramref name="instanceId"/> still holds the lease of <paramref name="slot"/>.
    /// </summary>
    Task<FleetStateRecord> ReportProbeAsync(string name, string instanceId, int slot, bool success, string? reason, CircuitBreakerOptions options, CancellationToken cancellationToken);

    /// <summary>Moves a due OPEN circuit to HALF_OPEN and tries to take one of its probe leases (<c>SET NX PX</c>).</summary>
    Task<ProbeLease> TryAcquireProbeAsync(string name, string instanceId, CircuitBreakerOptions options, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>Hands back an unused probe lease (only if still held by <paramref name="instanceId"/>).</summary>
    Task ReleaseProbeAsync(string name, int slot, string instanceId, CancellationToken cancellationToken);

    /// <summary>Applies an operator's action (forced states hold until reset) and drops every probe lease.</summary>
    Task<FleetStateRecord> ApplyManualAsync(string name, ManualAction action, string instanceId, string? reason, CircuitBreakerOptions options, CancellationToken cancellationToken);

    /// <summary>Starts (or extends) the shared 429 cool-down.</summary>
    Task<FleetStateRecord> SetCooldownAsync(string name, TimeSpan duration, string instanceId, CancellationToken cancellationToken);

    /// <summary>Subscribes to the state changes published by every instance.</summary>
    Task<IAsyncDisposable> SubscribeAsync(Action<FleetStateRecord> onChange, CancellationToken cancellationToken);
}
