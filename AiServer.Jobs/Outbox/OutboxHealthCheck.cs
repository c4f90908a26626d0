using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AiServer.Jobs.Outbox;

/// <summary>
/// <c>outbox</c> in <c>/health/detailed</c>: changes waiting for Supabase, the oldest one's age, whether this api
/// relays. Degraded (never unhealthy: nothing is lost while Supabase is away) once the lag passes a minute.
/// </summary>
internal sealed class OutboxHealthCheck(OutboxTelemetry telemetry, OutboxRelay relay, IOptionsMonitor<OutboxOptions> options) : IHealthCheck
{
    private static readonly TimeSpan DegradedLag = TimeSpan.FromMinutes(1);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (lag, length) = telemetry.Last;
        var data = new Dictionary<string, object>
        {
            ["enabled"] = options.CurrentValue.Enabled,
            ["length"] = length,
            ["lagSeconds"] = Math.Round(lag, 1),
            ["relaying"] = relay.IsLeader,
        };
        return Task.FromResult(lag < DegradedLag.TotalSeconds
            ? HealthCheckResult.Healthy($"{length} changes waiting for Supabase", data)
            : HealthCheckResult.Degraded($"the oldest change has waited {lag:F0} s for Supabase ({length} waiting)", data: data));
    }
}
