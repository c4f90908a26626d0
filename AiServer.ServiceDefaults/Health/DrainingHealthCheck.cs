using AiServer.ServiceDefaults.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.ServiceDefaults.Health;

/// <summary>Fails readiness as soon as the host starts shutting down, so load balancers stop sending new work.</summary>
internal sealed class DrainingHealthCheck(DrainState drain) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(drain.IsDraining
            ? HealthCheckResult.Unhealthy("draining: the instance is shutting down")
            : HealthCheckResult.Healthy("serving"));
}
