using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.Jobs.Execution;

/// <summary><c>workers</c> in <c>/health/detailed</c>: the kinds this pool runs, jobs in work, and kinds paused by an OPEN breaker.</summary>
internal sealed class JobWorkerHealthCheck(JobWorker worker) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var kinds = worker.Kinds;
        var paused = kinds.Where(k => k.Value.Paused).Select(k => k.Key).ToArray();
        var data = new Dictionary<string, object>
        {
            ["kinds"] = string.Join(",", kinds.Keys.Order(StringComparer.Ordinal)),
            ["inWork"] = kinds.Values.Sum(k => k.Running.Count),
            ["paused"] = string.Join(",", paused),
        };
        return Task.FromResult(paused.Length == 0
            ? HealthCheckResult.Healthy($"{kinds.Count} kinds running", data)
            : HealthCheckResult.Degraded($"paused while their providers' breakers are OPEN: {string.Join(", ", paused)}", data: data));
    }
}
