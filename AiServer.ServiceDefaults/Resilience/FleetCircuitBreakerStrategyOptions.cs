using Polly;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>Polly strategy options of the fleet breaker (its name shows in Polly's telemetry).</summary>
internal sealed class FleetCircuitBreakerStrategyOptions : ResilienceStrategyOptions
{
    public FleetCircuitBreakerStrategyOptions() => Name = "FleetCircuitBreaker";
}
