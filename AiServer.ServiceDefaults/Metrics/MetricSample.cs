namespace AiServer.ServiceDefaults.Metrics;

/// <summary>One time series of a <see cref="MetricFamily"/>.</summary>
/// <param name="Labels">Label names (already valid Prometheus names) and values, in a stable order.</param>
/// <param name="Value">The value for counters and gauges; the sum for histograms.</param>
/// <param name="Count">The observation count (histograms only).</param>
/// <param name="Buckets">Cumulative buckets ending with +Inf (histograms only).</param>
public sealed record MetricSample(
    IReadOnlyList<KeyValuePair<string, string>> Labels,
    double Value,
    long Count = 0,
    IReadOnlyList<HistogramBucketSample>? Buckets = null);
