using System.Collections.Concurrent;
using AiServer.ServiceDefaults.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AiServer.Providers.Health;

/// <summary>
/// The cached results of the provider probes, and the probes in flight. Registered as <see cref="IHealthCheckCache"/>,
/// so <c>/health/detailed?refresh=true</c> drops them and the next check probes afresh. Health checks are created per
/// run, so the single-flight state lives here, in the singleton.
/// </summary>
internal sealed class ProviderHealthCache(TimeProvider time, IOptions<ProviderHealthOptions> options) : IHealthCheckCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<ProbeOutcome>>> _inFlight = new(StringComparer.Ordinal);
    private long _generation;

    /// <summary>The deadline of one probe (<see cref="ProviderHealthOptions.ProbeTimeout"/>).</summary>
    public TimeSpan ProbeTimeout => options.Value.ProbeTimeout;

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

    /// <summary>
    /// Runs <paramref name="probe"/> for <paramref name="name"/> unless one is already running, in which case the caller
    /// shares it: when the cache expires, concurrent <c>/health/detailed</c> requests cause one provider call, not one
    /// each. A cacheable outcome is stored unless the cache was invalidated while the probe ran.
    /// </summary>
    public Task<ProbeOutcome> ProbeOnceAsync(string name, Func<Task<ProbeOutcome>> probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var generation = Interlocked.Read(ref _generation);
        Lazy<Task<ProbeOutcome>>? flight = null;
        flight = new Lazy<Task<ProbeOutcome>>(() => RunAsync(name, probe, generation, flight!), LazyThreadSafetyMode.ExecutionAndPublication);
        return _inFlight.GetOrAdd(name, flight).Value;
    }

    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
        _inFlight.Clear();
    }

    private async Task<ProbeOutcome> RunAsync(string name, Func<Task<ProbeOutcome>> probe, long generation, Lazy<Task<ProbeOutcome>> flight)
    {
        try
        {
            var outcome = await probe().ConfigureAwait(false);
            if (outcome.Cacheable && Interlocked.Read(ref _generation) == generation)
            {
                Set(name, outcome.Result, outcome.ProbedAt);
            }

            return outcome;
        }
        finally
        {
            // Only this flight's entry: after an Invalidate a newer flight may already be registered.
            _inFlight.TryRemove(KeyValuePair.Create(name, flight));
        }
    }

    private sealed record Entry(HealthCheckResult Result, DateTimeOffset ProbedAt);
}
