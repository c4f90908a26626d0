using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AiServer.ServiceDefaults.Telemetry;

/// <summary>
/// Runs after OpenTelemetry's hosted service has built the meter provider (a measurement before that is lost) and
/// records the zeros that make the seeds' counters exist from the first scrape: the request and error counters
/// (<see cref="HttpRequestMetrics.RecordZero"/>) and <c>circuit_breaker_failures_total</c> for every breaker, so
/// <c>rate()</c> and the alerts work before the first failure.
/// </summary>
internal sealed class TelemetryStartup(HttpRequestMetrics httpMetrics, IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        httpMetrics.RecordZero();
        if (services.GetService<ICircuitBreakerRegistry>() is { } registry)
        {
            foreach (var breaker in registry.All)
            {
                ResilienceTelemetry.Shared.Failures.Add(0, new KeyValuePair<string, object?>("name", breaker.Name));
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
