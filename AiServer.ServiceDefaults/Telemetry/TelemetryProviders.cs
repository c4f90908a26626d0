using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AiServer.ServiceDefaults.Telemetry;

/// <summary>The OpenTelemetry SDK providers of this process; flushed and disposed on shutdown.</summary>
internal sealed class TelemetryProviders(MeterProvider meterProvider, TracerProvider? tracerProvider) : IDisposable
{
    public MeterProvider MeterProvider { get; } = meterProvider;

    public TracerProvider? TracerProvider { get; } = tracerProvider;

    public void Flush(int timeoutMilliseconds)
    {
        TracerProvider?.ForceFlush(timeoutMilliseconds);
        MeterProvider.ForceFlush(timeoutMilliseconds);
    }

    public void Dispose()
    {
        TracerProvider?.Dispose();
        MeterProvider.Dispose();
    }
}
