using System.Globalization;
using System.Text;

namespace AiServer.ServiceDefaults.Metrics;

/// <summary>Renders metric families in the Prometheus text exposition format 0.0.4.</summary>
internal static class PrometheusTextWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(IEnumerable<MetricFamily> families)
    {
        var sb = new StringBuilder(16 * 1024);
        foreach (var family in families)
        {
            WriteFamily(sb, family);
        }

        return sb.ToString();
    }

    private static void WriteFamily(StringBuilder sb, MetricFamily family)
    {
        if (family.Help.Length > 0)
        {
            sb.Append("# HELP ").Append(family.Name).Append(' ');
            AppendEscaped(sb, family.Help, escapeQuote: false);
            sb.Append('\n');
        }

        sb.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.Kind switch
        {
            MetricKind.Counter => "counter",
            MetricKind.Histogram => "histogram",
            _ => "gauge",
        }).Append('\n');

        foreach (var sample in family.Samples)
        {
            if (family.Kind != MetricKind.Histogram)
            {
                AppendLine(sb, family.Name, sample.Labels, extraLabel: null, extraValue: null, sample.Value);
                continue;
            }

            var buckets = sample.Buckets ?? [];
            var sawInfinity = false;
            foreach (var bucket in buckets)
            {
                sawInfinity |= double.IsPositiveInfinity(bucket.UpperBound);
                AppendLine(sb, family.Name + "_bucket", sample.Labels, "le", FormatDouble(bucket.UpperBound), bucket.CumulativeCount);
            }

            if (!sawInfinity)
            {
                AppendLine(sb, family.Name + "_bucket", sample.Labels, "le", "+Inf", sample.Count);
            }

            AppendLine(sb, family.Name + "_sum", sample.Labels, null, null, sample.Value);
            AppendLine(sb, family.Name + "_count", sample.Labels, null, null, sample.Count);
        }
    }

    private static void AppendLine(
        StringBuilder sb,
        string name,
        IReadOnlyList<KeyValuePair<string, string>> labels,
        string? extraLabel,
        string? extraValue,
        double value)
    {
        sb.Append(name);
        if (labels.Count > 0 || extraLabel is not null)
        {
            sb.Append('{');
            var first = true;
            foreach (var (key, labelValue) in labels)
            {
                if (!first)
                {
                    sb.Append(',');
                }

                first = false;
                sb.Append(key).Append("=\"");
                AppendEscaped(sb, labelValue, escapeQuote: true);
                sb.Append('"');
            }

            if (extraLabel is not null)
            {
                if (!first)
                {
                    sb.Append(',');
                }

                sb.Append(extraLabel).Append("=\"").Append(extraValue).Append('"');
            }

            sb.Append('}');
        }

        sb.Append(' ').Append(FormatDouble(value)).Append('\n');
    }

    internal static string FormatDouble(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }

        if (double.IsNaN(value))
        {
            return "NaN";
        }

        return value == Math.Floor(value) && Math.Abs(value) < 1e15
            ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);
    }

    private static void AppendEscaped(StringBuilder sb, string value, bool escapeQuote)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '"' when escapeQuote:
                    sb.Append("\\\"");
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
    }
}
