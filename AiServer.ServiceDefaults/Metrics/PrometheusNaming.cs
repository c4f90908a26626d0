using System.Text;

namespace AiServer.ServiceDefaults.Metrics;

/// <summary>
/// OpenTelemetry-to-Prometheus naming, after the OpenTelemetry specification's Prometheus compatibility rules:
/// invalid characters become '_', the unit is appended as a word (s -> seconds, By -> bytes) unless the name already
/// ends with it, counters end with <c>_total</c>, and gauges that would pass for histogram series get <c>_value</c>.
/// </summary>
internal static class PrometheusNaming
{
    public static string MetricName(string instrumentName, string? unit, MetricKind kind)
    {
        var name = Sanitize(instrumentName, allowColon: true);
        var unitWord = UnitWord(unit);
        if (kind == MetricKind.Counter && name.EndsWith("_total", StringComparison.Ordinal))
        {
            name = name[..^"_total".Length];
        }

        if (unitWord.Length > 0
            && !name.EndsWith("_" + unitWord, StringComparison.Ordinal)
            && !(unit is not null && name.EndsWith("_" + Sanitize(unit, allowColon: false), StringComparison.Ordinal)))
        {
            name = name + "_" + unitWord;
        }

        if (kind == MetricKind.Counter)
        {
            return name + "_total";
        }

        // Histogram series end in _count, _sum and _bucket; a gauge named like one (the runtime's
        // dotnet.assembly.count) would be read as part of a histogram, so it gets a neutral suffix.
        return kind == MetricKind.Gauge
            && (name.EndsWith("_count", StringComparison.Ordinal) || name.EndsWith("_sum", StringComparison.Ordinal)
                || name.EndsWith("_bucket", StringComparison.Ordinal))
            ? name + "_value"
            : name;
    }

    public static string LabelName(string key)
    {
        var name = Sanitize(key, allowColon: false);

        // Names starting with "__" are reserved for Prometheus' own use.
        return name.StartsWith("__", StringComparison.Ordinal) ? "_" + name.TrimStart('_') : name;
    }

    /// <summary>Turns an OpenTelemetry unit into the word Prometheus names carry; annotations like {request} vanish.</summary>
    internal static string UnitWord(string? unit)
    {
        if (string.IsNullOrWhiteSpace(unit))
        {
            return string.Empty;
        }

        // Curly-brace annotations carry no unit.
        var braceStart = unit.IndexOf('{', StringComparison.Ordinal);
        if (braceStart >= 0)
        {
            unit = unit[..braceStart];
        }

        if (unit.Length == 0 || unit == "1")
        {
            return string.Empty;
        }

        var slash = unit.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var per = Word(unit[(slash + 1)..]);
            var of = Word(unit[..slash]);
            return per.Length == 0 ? of : $"{of}_per_{per}";
        }

        return Word(unit);

        static string Word(string u) => u switch
        {
            "d" => "days",
            "h" => "hours",
            "min" => "minutes",
            "s" => "seconds",
            "ms" => "milliseconds",
            "us" => "microseconds",
            "ns" => "nanoseconds",
            "By" => "bytes",
            "KiBy" => "kibibytes",
            "MiBy" => "mebibytes",
            "GiBy" => "gibibytes",
            "KBy" => "kilobytes",
            "MBy" => "megabytes",
            "GBy" => "gigabytes",
            "%" => "percent",
            "Hz" => "hertz",
            "V" => "volts",
            "W" => "watts",
            "A" => "amperes",
            "Cel" => "celsius",
            _ => Sanitize(u, allowColon: false).Trim('_'),
        };
    }

    internal static string Sanitize(string value, bool allowColon)
    {
        var sb = new StringBuilder(value.Length + 1);
        var lastUnderscore = false;
        foreach (var c in value)
        {
            var valid = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'
                || (allowColon && c == ':');
            var next = valid ? c : '_';
            if (next == '_' && lastUnderscore)
            {
                continue;
            }

            sb.Append(next);
            lastUnderscore = next == '_';
        }

        if (sb.Length == 0 || char.IsAsciiDigit(sb[0]))
        {
            sb.Insert(0, '_');
        }

        return sb.ToString();
    }
}
