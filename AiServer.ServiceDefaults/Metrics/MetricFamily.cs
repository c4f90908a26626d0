namespace AiServer.ServiceDefaults.Metrics;

/// <summary>
/// One named metric with its samples, already in Prometheus naming (what <c>/metrics</c> and <c>/metrics/json</c> serve).
/// </summary>
/// <param name="Name">Prometheus name, including the <c>_total</c> suffix for counters.</param>
/// <param name="Kind">The metric type.</param>
/// <param name="Help">Description, or empty.</param>
/// <param name="Unit">The OpenTelemetry unit, or empty.</param>
/// <param name="Samples">One sample per label set.</param>
public sealed record MetricFamily(string Name, MetricKind Kind, string Help, string Unit, IReadOnlyList<MetricSample> Samples);
