using System.Globalization;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace AiServer.ServiceDefaults.Metrics;

/// <summary>
/// A pull exporter: on each collection it turns the SDK's aggregated metrics into <see cref="MetricFamily"/> values in
/// Prometheus naming. Metric points are only valid during <see cref="Export"/>, so conversion happens there.
/// It declares the SDK's default modes (push and pull): a pull-only exporter is collected only from inside the SDK's
/// internal pull scope. Nothing pushes through it anyway: its reader is not periodic and is collected on scrape.
/// </summary>
internal sealed class SnapshotMetricExporter : BaseExporter<Metric>
{
    private IReadOnlyList<MetricFamily> _last = [];

    public IReadOnlyList<MetricFamily> Last => Volatile.Read(ref _last);

    public override ExportResult Export(in Batch<Metric> batch)
    {
        var families = new List<MetricFamily>();
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var metric in batch)
        {
            var family = Convert(metric);
            if (family is null)
            {
                continue;
            }

            if (byName.TryGetValue(family.Name, out var index))
            {
                // The same Prometheus name from two meters: merge when the types agree, else keep the first.
                var existing = families[index];
                if (existing.Kind == family.Kind)
                {
                    families[index] = existing with { Samples = [.. existing.Samples, .. family.Samples] };
                }

                continue;
            }

            byName[family.Name] = families.Count;
            families.Add(family);
        }

        families.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        Volatile.Write(ref _last, families);
        return ExportResult.Success;
    }

    private static MetricFamily? Convert(Metric metric)
    {
        var type = metric.MetricType;
        MetricKind kind;
        if (type is MetricType.LongSum or MetricType.DoubleSum)
        {
            kind = MetricKind.Counter;
        }
        else if (type is MetricType.LongSumNonMonotonic or MetricType.DoubleSumNonMonotonic
                 or MetricType.LongGauge or MetricType.DoubleGauge)
        {
            kind = MetricKind.Gauge;
        }
        else if (type == MetricType.Histogram)
        {
            kind = MetricKind.Histogram;
        }
        else
        {
            // Exponential histograms have no text-format equivalent in 0.0.4; none of our views create them.
            return null;
        }

        var samples = new List<MetricSample>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var labels = new List<KeyValuePair<string, string>>();
            foreach (var tag in point.Tags)
            {
                labels.Add(new(PrometheusNaming.LabelName(tag.Key), TagValue(tag.Value)));
            }

            switch (type)
            {
                case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                    samples.Add(new MetricSample(labels, point.GetSumLong()));
                    break;
                case MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic:
                    samples.Add(new MetricSample(labels, point.GetSumDouble()));
                    break;
                case MetricType.LongGauge:
                    samples.Add(new MetricSample(labels, point.GetGaugeLastValueLong()));
                    break;
                case MetricType.DoubleGauge:
                    samples.Add(new MetricSample(labels, point.GetGaugeLastValueDouble()));
                    break;
                default:
                    var buckets = new List<HistogramBucketSample>();
                    long cumulative = 0;
                    foreach (var bucket in point.GetHistogramBuckets())
                    {
                        cumulative += bucket.BucketCount;
                        buckets.Add(new HistogramBucketSample(bucket.ExplicitBound, cumulative));
                    }

                    samples.Add(new MetricSample(labels, point.GetHistogramSum(), point.GetHistogramCount(), buckets));
                    break;
            }
        }

        return new MetricFamily(
            PrometheusNaming.MetricName(metric.Name, metric.Unit, kind),
            kind,
            metric.Description ?? string.Empty,
            metric.Unit ?? string.Empty,
            samples);
    }

    private static string TagValue(object? value) => value switch
    {
        null => string.Empty,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
