using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AiServer.ServiceDefaults.Health;

/// <summary>Resident memory against the configured thresholds, with the managed heap for context.</summary>
internal sealed class MemoryHealthCheck(IOptionsMonitor<MemoryHealthOptions> options) : IHealthCheck
{
    /// <summary>Reads the resident set size; replaceable in tests.</summary>
    internal Func<long> ResidentBytes { get; init; } = static () => Environment.WorkingSet;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var o = options.CurrentValue;
        var rss = ResidentBytes();
        var gc = GC.GetGCMemoryInfo();
        var data = new Dictionary<string, object>
        {
            ["residentBytes"] = rss,
            ["managedHeapBytes"] = gc.HeapSizeBytes,
            ["degradedResidentBytes"] = o.DegradedResidentBytes,
            ["unhealthyResidentBytes"] = o.UnhealthyResidentBytes,
        };
        var result = rss >= o.UnhealthyResidentBytes
            ? HealthCheckResult.Unhealthy($"Resident memory {rss} bytes is at or above {MemoryHealthOptions.SectionName}:UnhealthyResidentBytes.", data: data)
            : rss >= o.DegradedResidentBytes
                ? HealthCheckResult.Degraded($"Resident memory {rss} bytes is at or above {MemoryHealthOptions.SectionName}:DegradedResidentBytes.", data: data)
                : HealthCheckResult.Healthy("ok", data);
        return Task.FromResult(result);
    }
}
