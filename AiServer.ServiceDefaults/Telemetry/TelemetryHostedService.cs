using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AiServer.ServiceDefaults.Telemetry;

/// <summary>
/// Starts the OpenTelemetry providers before the server takes requests and flushes them when the host stops
/// (what OpenTelemetry.Extensions.Hosting would do; that package is not restorable here).
/// </summary>
internal sealed class TelemetryHostedService(IServiceProvider services) : IHostedService
{
    private TelemetryProviders? _providers;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _providers = services.GetRequiredService<TelemetryProviders>();
        services.GetRequiredService<ProcessMetrics>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _providers?.Flush(timeoutMilliseconds: 5000);
        return Task.CompletedTask;
    }
}
