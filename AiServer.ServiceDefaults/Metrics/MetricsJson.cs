using System.Text.Json;
using System.Text.Json.Serialization;

namespace AiServer.ServiceDefaults.Metrics;

/// <summary>
/// The JSON form of a scrape for <c>/metrics/json</c>:
/// <c>[{name, type, help, unit, samples:[{labels:{..}, value, count?, buckets?:[{le, count}]}]}]</c>.
/// Infinite bounds are written as the strings "+Inf"/"-Inf", as Prometheus spells them.
/// </summary>
internal static class MetricsJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static IEnumerable<object> Shape(IReadOnlyList<MetricFamily> families) => families.Select(f => new
    {
        name = f.Name,
        type = f.Kind.ToString().ToLowerInvariant(),
        help = f.Help,
        unit = f.Unit,
        samples = f.Samples.Select(s => new
        {
            labels = s.Labels.ToDictionary(l => l.Key, l => l.Value),
            value = s.Value,
            count = f.Kind == MetricKind.Histogram ? s.Count : (long?)null,
            buckets = s.Buckets?.Select(b => new { le = FormatBound(b.UpperBound), count = b.CumulativeCount }),
        }),
    });

    /// <summary>A bucket bound as Prometheus writes it: <c>+Inf</c>, <c>-Inf</c>, or the shortest round-trip form.</summary>
    internal static string FormatBound(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
