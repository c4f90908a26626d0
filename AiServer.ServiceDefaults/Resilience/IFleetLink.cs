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

    /// <summary>
    /// Writes the breaker's pending manual action fleet-wide, on the sync's own timeout (never a caller's token: an
    /// aborted admin request must not leave the action half done). False when it did not reach Redis: the action then
    /// holds locally and the next sync round replays it.
    /// </summary>
    Task<bool> FlushManualAsync(FleetCircuitBreaker breaker);
}
