using System.Collections.Concurrent;
using AiServer.ServiceDefaults.Resilience;

namespace AiServer.Tests.ServiceDefaults.Resilience;

/// <summary>A fleet link that records what a breaker asks of the fleet and answers nothing by itself.</summary>
internal sealed class FakeFleetLink : IFleetLink
{
    public bool IsConnected { get; set; } = true;

    /// <summary>Requests in order: <c>trip</c>, <c>lease</c>, <c>probe:{slot}:{ok|fail}</c>, <c>release:{slot}</c>, <c>cooldown</c>, <c>manual:{action}</c>.</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    public void RequestTrip(FleetCircuitBreaker breaker, string reason) => Calls.Enqueue("trip");

    public void RequestProbeLease(FleetCircuitBreaker breaker) => Calls.Enqueue("lease");

    public void ReportProbe(FleetCircuitBreaker breaker, int slot, bool success, string? reason) =>
        Calls.Enqueue($"probe:{slot}:{(success ? "ok" : "fail")}");

    public void ReleaseProbe(FleetCircuitBreaker breaker, int slot)
    {
        Calls.Enqueue($"release:{slot}");
        breaker.OnProbeReported();
    }

    public void ReportCooldown(FleetCircuitBreaker breaker, TimeSpan duration) => Calls.Enqueue("cooldown");

    public Task<bool> FlushManualAsync(FleetCircuitBreaker breaker)
    {
        Calls.Enqueue($"manual:{breaker.PendingManual?.Action}");
        return Task.FromResult(true);
    }
}
