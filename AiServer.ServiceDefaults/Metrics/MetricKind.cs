namespace AiServer.ServiceDefaults.Metrics;

/// <summary>The Prometheus metric types AiServer exposes.</summary>
public enum MetricKind
{
    /// <summary>A monotonic sum; exposed with the <c>_total</c> suffix.</summary>
    Counter,

    /// <summary>A value that goes up and down (gauges and non-monotonic sums).</summary>
    Gauge,

    /// <summary>Explicit-bucket histogram; exposed as <c>_bucket</c>, <c>_sum</c> and <c>_count</c>.</summary>
    Histogram,
}
