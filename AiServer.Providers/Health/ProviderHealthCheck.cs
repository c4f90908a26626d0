using System.Globalization;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace AiServer.Providers.Health;

/// <summary>
/// A provider's check on <c>/health/detailed</c>: never calls a provider whose breaker is OPEN (degraded, with the
/// reason), otherwise reuses a probe result younger than <see cref="ProviderHealthOptions.CacheDuration"/> or probes.
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

        var now = time.GetUtcNow();
        HealthCheckResult result;
        try
        {
            result = await probe(cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderUnavailableException ex) when (ex.BreakerRejected)
        {
            return HealthCheckResult.Degraded($"Circuit breaker '{provider}' rejected the probe: {ex.ProviderMessage}");
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

        cache.Set(provider, result, now);
        return WithData(result, ("cached", false), ("probedAt", now.ToString("O", CultureInfo.InvariantCulture)));
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
