using OpenTelemetry.Metrics;

namespace AiServer.ServiceDefaults.Metrics;

/// <summary>
/// Serves on-demand collections of the one OpenTelemetry aggregation (the same MeterProvider that feeds OTLP), for
/// <c>/metrics</c> and <c>/metrics/json</c>.
/// </summary>
internal sealed class MetricsScraper : IDisposable
{
    private readonly SnapshotMetricExporter _exporter = new();
    private readonly Lock _gate = new();

    public MetricsScraper()
    {
        Reader = new BaseExportingMetricReader(_exporter)
        {
            TemporalityPreference = MetricReaderTemporalityPreference.Cumulative,
        };
    }

    /// <summary>The reader to add to the MeterProvider.</summary>
    public MetricReader Reader { get; }

    /// <summary>Collects now and returns the families; serialised so concurrent scrapes each get a whole view.</summary>
    public IReadOnlyList<MetricFamily> Collect(int timeoutMilliseconds = 5000)
    {
        lock (_gate)
        {
            return Reader.Collect(timeoutMilliseconds) ? _exporter.Last : [];
        }
    }

    public void Dispose() => Reader.Dispose();
}
