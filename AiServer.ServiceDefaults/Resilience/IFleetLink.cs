namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// What a breaker asks of the fleet sync. Every method returns at once: the Redis work runs in the background and its
/// result comes back through <see cref="FleetCircuitBreaker.ApplyFleet"/>, so no request waits on Redis.
/// </summary>
internal interface IFleetLink
{
    /// <summary>Redis is reachable and the initial load is done: breakers follow the fleet state.</summary>
    bool IsConnected { get; }

    void RequestTrip(FleetCircuitBreaker breaker, string reason);

    void RequestProbeLease(FleetCircuitBreaker breaker);

    void ReportProbe(FleetCircuitBreaker breaker, int slot, bool success, string? reason);

    /// <summary>
    /// Hands a probe lease back to the fleet without a verdict (the call was cancelled, or the provider throttled it);
    /// calls <see cref="FleetCircuitBreaker.OnProbeReported"/> when done.
    /// </summary>
    void ReleaseProbe(FleetCircuitBreaker breaker, int slot);

    void ReportCooldown(FleetCircuitBreaker breaker, TimeSpan duration);

    /// <summary>Applies a manual action fleet-wide; false when Redis is unreachable (the action then holds locally and is replayed).</summary>
    Task<bool> ApplyManualAsync(FleetCircuitBreaker breaker, ManualAction action, string? reason, CancellationToken cancellationToken);
}
