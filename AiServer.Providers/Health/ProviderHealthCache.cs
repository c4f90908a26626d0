using System.Collections.Concurrent;
using AiServer.ServiceDefaults.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AiServer.Providers.Health;

/// <summary>
/// The cached results of the provider probes. Registered as <see cref="IHealthCheckCache"/>, so
/// <c>/health/detailed?refresh=true</c> drops them and the next check probes afresh.
/// </summary>
internal sealed class ProviderHealthCache(TimeProvider time, IOptions<ProviderHealthOptions> options) : IHealthCheckCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public bool TryGet(string name, out HealthCheckResult result, out DateTimeOffset probedAt)
    {
        if (_entries.TryGetValue(name, out var entry) && time.GetUtcNow() - entry.ProbedAt < options.Value.CacheDuration)
        {
            result = entry.Result;
            probedAt = entry.ProbedAt;
            return true;
        }

        result = default;
        probedAt = default;
        return false;
    }

    public void Set(string name, HealthCheckResult result, DateTimeOffset probedAt) => _entries[name] = new Entry(result, probedAt);

    public void Invalidate() => _entries.Clear();

    private sealed record Entry(HealthCheckResult Result, DateTimeOffset ProbedAt);
}
