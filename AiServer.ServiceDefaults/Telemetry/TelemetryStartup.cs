using Microsoft.Extensions.Hosting;

namespace AiServer.ServiceDefaults.Telemetry;

/// <summary>
/// Runs after OpenTelemetry's hosted service has built the meter provider: records the zeros that make the seeds'
/// counters exist from the first scrape (<see cref="HttpRequestMetrics.RecordZero"/>).
/// </summary>
internal sealed class TelemetryStartup(HttpRequestMetrics httpMetrics) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        httpMetrics.RecordZero();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
