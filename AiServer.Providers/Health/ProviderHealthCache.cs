using System.Collections.Concurrent;
using AiServer.ServiceDefaults.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AiServer.Providers.Health;

/// <summary>
/// This instance's cached provider probe results, and the probes and shared-result reads in flight. Registered as
/// <see cref="IHealthCheckCache"/>, so <c>/health/detailed?refresh=true</c> drops them and the next check probes afresh
/// (through the fleet's lease when the results are shared: <see cref="TakeRefresh"/>). Health checks are created per
/// run, so the single-flight state lives here, in the singleton.
/// </summary>
internal sealed class ProviderHealthCache(TimeProvider time, IOptions<ProviderHealthOptions> options) : IHealthCheckCache
{
    private readonly ConcurrentDictionary<string, ProbeOutcome> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<ProbeOutcome>>> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<HealthCheckResult?>>> _sharedInFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _refreshTaken = new(StringComparer.Ordinal);
    private long _generation;

    /// <summary>The deadline of one probe (<see cref="ProviderHealthOptions.ProbeTimeout"/>).</summary>
    public TimeSpan ProbeTimeout => options.Value.ProbeTimeout;

    /// <summary>This instance's own probe of <paramref name="name"/> if younger than the cache period.</summary>
    public bool TryGet(string name, out ProbeOutcome outcome)
    {
        if (_entries.TryGetValue(name, out var entry) && time.GetUtcNow() - entry.ProbedAt < options.Value.CacheDuration)
        {
            outcome = entry;
            return true;
        }

        outcome = null!;
        return false;
    }

    public void Set(string name, ProbeOutcome outcome) => _entries[name] = outcome;

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

    /// <summary>
    /// Runs <paramref name="check"/> (the read of the fleet's shared result, and the probe if this instance gets the
    /// lease) for <paramref name="name"/> unless one is already running, in which case the caller shares it: concurrent
    /// requests on one instance make one Redis read and at most one probe.
    /// </summary>
    public Task<HealthCheckResult?> SharedOnceAsync(string name, Func<Task<HealthCheckResult?>> check)
    {
        ArgumentNullException.ThrowIfNull(check);
        Lazy<Task<HealthCheckResult?>>? flight = null;
        flight = new Lazy<Task<HealthCheckResult?>>(() => RunSharedAsync(name, check, flight!), LazyThreadSafetyMode.ExecutionAndPublication);
        return _sharedInFlight.GetOrAdd(name, flight).Value;
    }

    /// <summary>
    /// True once per provider after each <see cref="Invalidate"/>: the next shared check then accepts only a result
    /// probed from now on (an operator's <c>?refresh=true</c> means a new probe, for the fleet too).
    /// </summary>
    public bool TakeRefresh(string name)
    {
        var generation = Interlocked.Read(ref _generation);
        while (true)
        {
            var taken = _refreshTaken.GetOrAdd(name, 0);
            if (taken >= generation)
            {
                return false;
            }

            if (_refreshTaken.TryUpdate(name, generation, taken))
            {
                return true;
            }
        }
    }

    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
        _inFlight.Clear();
        _sharedInFlight.Clear();
    }

    private async Task<ProbeOutcome> RunAsync(string name, Func<Task<ProbeOutcome>> probe, long generation, Lazy<Task<ProbeOutcome>> flight)
    {
        try
        {
            var outcome = await probe().ConfigureAwait(false);
            if (outcome.Cacheable && Interlocked.Read(ref _generation) == generation)
            {
                Set(name, outcome);
            }

            return outcome;
        }
        finally
        {
            // Only this flight's entry: after an Invalidate a newer flight may already be registered.
            _inFlight.TryRemove(KeyValuePair.Create(name, flight));
        }
    }

    private async Task<HealthCheckResult?> RunSharedAsync(string name, Func<Task<HealthCheckResult?>> check, Lazy<Task<HealthCheckResult?>> flight)
    {
        try
        {
            return await check().ConfigureAwait(false);
        }
        finally
        {
            _sharedInFlight.TryRemove(KeyValuePair.Create(name, flight));
        }
    }
}
