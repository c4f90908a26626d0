using AiServer.Providers.Telemetry;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace AiServer.Providers.Health;

/// <summary>
/// A provider's check on <c>/health/detailed</c>: never calls a provider whose breaker is OPEN (degraded, with the
/// reason). Otherwise, with Redis, the fleet's shared result (<see cref="SharedProviderHealth"/>: one probe per provider
/// per cache period for the whole fleet); without Redis, or when it fails or is slow, this instance's own result younger
/// than <see cref="ProviderHealthOptions.CacheDuration"/> or its own probe — one probe per provider at a time, shared by
/// concurrent callers (<see cref="ProviderHealthCache.ProbeOnceAsync"/>). The details say where the answer came from
/// (<see cref="ProbeDetails"/>).
/// </summary>
internal sealed class ProviderHealthCheck(
    string provider,
    Func<CancellationToken, Task<HealthCheckResult>> probe,
    ICircuitBreakerRegistry breakers,
    ProviderHealthCache cache,
    SharedProviderHealth shared,
    ProviderMetrics metrics,
    TimeProvider time,
    ILogger logger) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var breaker = breakers.Get(provider);
        if (breaker.State == CircuitState.Open)
        {
            var stats = breaker.GetStats();
            return HealthCheckResult.Degraded(
                $"Circuit breaker '{provider}' is OPEN; the provider was not probed.",
                data: new Dictionary<string, object>
                {
                    ["circuitBreaker"] = "OPEN",
                    ["reason"] = stats.LastFailureReason ?? "unknown",
                });
        }

        // Shared by every concurrent caller on this instance; each caller stops waiting on its own token, the work
        // itself is bounded by the Redis call timeout and the probe deadline, and is not cancelled because one caller
        // went away.
        if (shared.Enabled
            && await cache.SharedOnceAsync(provider, () => shared.CheckAsync(provider, () => cache.ProbeOnceAsync(provider, () => CountedProbeAsync(ProbeSource.Probed))))
                .WaitAsync(cancellationToken).ConfigureAwait(false) is { } fleet)
        {
            return fleet;
        }

        if (cache.TryGet(provider, out var cached))
        {
            return ProbeDetails.Describe(cached, ProbeSource.Local, cached: true, shared.InstanceId);
        }

        var outcome = await cache.ProbeOnceAsync(provider, () => CountedProbeAsync(ProbeSource.Local)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return outcome.Cacheable ? ProbeDetails.Describe(outcome, ProbeSource.Local, cached: false, shared.InstanceId) : outcome.Result;
    }

    private async Task<ProbeOutcome> CountedProbeAsync(string source)
    {
        var outcome = await ProbeAsync().ConfigureAwait(false);
        if (outcome.Cacheable)
        {
            // A breaker-rejected probe never reached the provider: not counted.
            metrics.RecordHealthProbe(provider, source);
        }

        return outcome;
    }

    private async Task<ProbeOutcome> ProbeAsync()
    {
        var now = time.GetUtcNow();
        var started = time.GetTimestamp();
        HealthCheckResult result;
        using var deadline = new CancellationTokenSource(cache.ProbeTimeout, time);
        try
        {
            result = await probe(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (deadline.IsCancellationRequested && ex is OperationCanceledException or ProviderException)
        {
            // The provider did not answer in time: unhealthy, and cached like any verdict so that the next health
            // requests answer at once instead of waiting again.
            ProviderLog.ProbeFailed(logger, provider, "timed out");
            result = HealthCheckResult.Unhealthy(
                $"{provider} did not answer the health probe within {cache.ProbeTimeout.TotalSeconds:0.#} s (timed out).",
                data: new Dictionary<string, object> { ["timedOut"] = true });
        }
        catch (ProviderUnavailableException ex) when (ex.BreakerRejected)
        {
            // Not a verdict on the provider (another probe holds the breaker's slot): not cached.
            return new ProbeOutcome(HealthCheckResult.Degraded($"Circuit breaker '{provider}' rejected the probe: {ex.ProviderMessage}"), now, Cacheable: false);
        }
        catch (ProviderRateLimitedException ex)
        {
            result = HealthCheckResult.Degraded($"{provider} is throttling (429): {ex.ProviderMessage}");
        }
        catch (ProviderException ex) when (ex.ErrorCode == "not_configured")
        {
            result = HealthCheckResult.Degraded($"{provider} is not configured: {ex.ProviderMessage}");
        }
        catch (ProviderException ex)
        {
            ProviderLog.ProbeFailed(logger, provider, ex.Message);
            result = HealthCheckResult.Unhealthy(ex.Message);
        }
        catch (Exception ex)
        {
            // Anything else is cached too, or every request would probe again. Only the type: an unknown exception's
            // message is not known to be free of secrets.
            ProviderLog.ProbeFailed(logger, provider, ex.GetType().Name);
            result = HealthCheckResult.Unhealthy($"The {provider} probe failed ({ex.GetType().Name}).");
        }

        return new ProbeOutcome(result, now, Cacheable: true, time.GetElapsedTime(started));
    }
}
