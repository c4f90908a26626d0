using System.Diagnostics.Metrics;

namespace AiServer.Providers.Telemetry;

/// <summary>
/// The <c>AiServer.Providers</c> meter: <c>database.response_time_ms</c> (gauge, last Supabase call's latency; Prometheus
/// <c>database_response_time_ms</c>, read by the seeds' DatabaseSlowResponse alert) and <c>database.request.duration</c>
/// (histogram of the same latencies, in ms).
/// </summary>
internal sealed class ProviderMetrics : IDisposable
{
    public const string MeterName = "AiServer.Providers";

    private readonly Meter _meter;
    private readonly Gauge<double> _databaseResponseTime;
    private readonly Histogram<double> _databaseDuration;

    public ProviderMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _databaseResponseTime = _meter.CreateGauge<double>("database.response_time_ms", "ms", "Latency of the last Supabase (PostgREST) call in milliseconds.");
        _databaseDuration = _meter.CreateHistogram<double>("database.request.duration", "ms", "Latency of Supabase (PostgREST) calls in milliseconds.");
    }

    public void RecordDatabaseCall(string operation, string table, double milliseconds, bool success)
    {
        _databaseResponseTime.Record(milliseconds);
        _databaseDuration.Record(milliseconds, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("table", table), new KeyValuePair<string, object?>("outcome", success ? "success" : "error"));
    }

    public void Dispose() => _meter.Dispose();
}
