using System.Globalization;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace AiServer.Providers.Health;

/// <summary>
/// A provider's check on <c>/health/detailed</c>: never calls a provider whose breaker is OPEN (degraded, with the
/// reason), otherwise reuses a probe result younger than <see cref="ProviderHealthOptions.CacheDuration"/> or probes —
/// one probe per provider at a time, shared by concurrent callers (<see cref="ProviderHealthCache.ProbeOnceAsync"/>).
/// </summary>
internal sealed class ProviderHealthCheck(
    string provider,
    Func<CancellationToken, Task<HealthCheckResult>> probe,
    ICircuitBreakerRegistry breakers,
    ProviderHealthCache cache,
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

        if (cache.TryGet(provider, out var cached, out var probedAt))
        {
            return WithData(cached, ("cached", true), ("probedAt", probedAt.ToString("O", CultureInfo.InvariantCulture)));
        }

        // Shared by every concurrent caller; each caller stops waiting on its own token, the probe itself is bounded
        // by the probe deadline (ProviderHealthOptions.ProbeTimeout) and is not cancelled because one caller went away.
        var outcome = await cache.ProbeOnceAsync(provider, ProbeAsync).WaitAsync(cancellationToken).ConfigureAwait(false);
        return outcome.Cacheable
            ? WithData(outcome.Result, ("cached", false), ("probedAt", outcome.ProbedAt.ToString("O", CultureInfo.InvariantCulture)))
            : outcome.Result;
    }

    private async Task<ProbeOutcome> ProbeAsync()
    {
        var now = time.GetUtcNow();
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

        return new ProbeOutcome(result, now, Cacheable: true);
    }

    private static HealthCheckResult WithData(HealthCheckResult result, params (string Key, object Value)[] extra)
    {
        var data = new Dictionary<string, object>(result.Data);
        foreach (var (key, value) in extra)
        {
            data[key] = value;
        }

        return new HealthCheckResult(result.Status, result.Description, result.Exception, data);
    }
}
