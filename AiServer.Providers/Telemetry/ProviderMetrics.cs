using System.Diagnostics.Metrics;

namespace AiServer.Providers.Telemetry;

/// <summary>
/// The <c>AiServer.Providers</c> meter: <c>database_response_time_ms</c> (gauge, the last Supabase call's latency, the
/// health probe's included; 0 until the first call, so the seeds' DatabaseSlowResponse alert has a series from the first
/// scrape) and <c>database.request.duration</c> (histogram of the same latencies in seconds, Prometheus'
/// base unit: <c>database_request_duration_seconds</c>). The gauge has no unit on
/// purpose: the Prometheus exporter would append <c>_milliseconds</c> to a name that already says <c>ms</c>.
/// <c>provider.health.probes</c> (counter, <c>provider_health_probes_total{provider, source}</c>) counts the provider
/// checks' answers by source: <c>probed</c> (a probe this instance ran under the fleet's lease), <c>shared</c> (the
/// fleet's result read from Redis, no probe) and <c>local</c> (a probe this instance ran for itself, without Redis).
/// </summary>
internal sealed class ProviderMetrics : IDisposable
{
    public const string MeterName = "AiServer.Providers";

    private readonly Meter _meter;
    private readonly Histogram<double> _databaseDuration;
    private readonly Counter<long> _healthProbes;
    private double _lastDatabaseMilliseconds;

    public ProviderMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableGauge(
            "database_response_time_ms",
            () => Volatile.Read(ref _lastDatabaseMilliseconds),
            unit: null,
            description: "Latency of the last Supabase (PostgREST) call in milliseconds.");
        _databaseDuration = _meter.CreateHistogram<double>("database.request.duration", "s", "Latency of Supabase (PostgREST) calls in seconds.");
        _healthProbes = _meter.CreateCounter<long>(
            "provider.health.probes",
            description: "Provider health checks by source: probed (under the fleet lease), shared (the fleet's result from Redis), local (own probe without Redis).");
    }

    public void RecordDatabaseCall(string operation, string table, double milliseconds, bool success)
    {
        Volatile.Write(ref _lastDatabaseMilliseconds, milliseconds);
        _databaseDuration.Record(milliseconds / 1000, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("table", table), new KeyValuePair<string, object?>("outcome", success ? "success" : "error"));
    }

    /// <summary>One provider check answered from <paramref name="source"/> (<see cref="Health.ProbeSource"/>).</summary>
    public void RecordHealthProbe(string provider, string source) =>
        _healthProbes.Add(1, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("source", source));

    public void Dispose() => _meter.Dispose();
}
