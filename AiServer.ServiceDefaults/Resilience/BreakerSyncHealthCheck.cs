using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// <c>breaker-sync</c>: unhealthy until every breaker's fleet state has been loaded (so a new instance never takes
/// traffic with an empty view), degraded while Redis is unreachable and breakers run locally.
/// </summary>
internal sealed class BreakerSyncHealthCheck(CircuitBreakerRegistry registry, FleetSyncService? sync = null) : IHealthCheck
{
    public const string Name = "breaker-sync";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["instance"] = registry.InstanceId,
            ["breakers"] = registry.Breakers.Count,
            ["open"] = string.Join(',', registry.Breakers.Where(b => b.State != CircuitState.Closed).Select(b => b.Name).Order(StringComparer.Ordinal)),
        };
        if (sync is null)
        {
            data["mode"] = "local";
            return Task.FromResult(HealthCheckResult.Healthy("Redis is not configured: breakers are local to this instance.", data));
        }

        if (sync.SyncLagSeconds is { } lag)
        {
            data["syncLagSeconds"] = Math.Round(lag, 3);
        }

        if (!sync.InitialLoadCompleted)
        {
            data["mode"] = "loading";
            return Task.FromResult(HealthCheckResult.Unhealthy("The fleet breaker state has not been loaded from Redis yet." + (sync.LastError is { } e ? " Last error: " + e : string.Empty), data: data));
        }

        if (!sync.IsConnected)
        {
            data["mode"] = "local-fallback";
            return Task.FromResult(HealthCheckResult.Degraded("Redis is unreachable: breakers run locally with the same rules and reconcile when it returns.", data: data));
        }

        data["mode"] = "fleet";
        return Task.FromResult(HealthCheckResult.Healthy("Breaker state is shared with the fleet.", data));
    }
}
