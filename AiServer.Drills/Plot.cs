using System.Globalization;
using System.Net;
using System.Text;

namespace AiServer.Drills;

/// <summary>
/// One SVG per drill: accepted and failed requests per second (top), optional sampled series (middle, e.g. the outbox
/// length or memory), and each tracked breaker's state over time as a band (green CLOSED, amber HALF_OPEN, red OPEN,
/// grey unknown), with the drill's events as dashed lines.
/// </summary>
internal static class Plot
{
    private const int Width = 980;
    private const int Left = 96;
    private const int Right = 20;
    private const int PanelHeight = 190;
    private const int SeriesHeight = 120;
    private const int BandHeight = 16;

    public static string Svg(string title, Timeline timeline, double end, IReadOnlyList<string> breakers, IReadOnlyList<string> series, string? seriesUnit = null)
    {
        var plotWidth = Width - Left - Right;
        double X(double t) => Left + (Math.Clamp(t, 0, end) / end * plotWidth);
        var seconds = (int)Math.Ceiling(end);
        var accepted = new double[seconds + 1];
        var rejected = new double[seconds + 1];
        var failed = new double[seconds + 1];
        foreach (var r in timeline.Requests)
        {
            var i = Math.Clamp((int)r.At, 0, seconds);
            if (r.Accepted)
            {
                accepted[i]++;
            }
            else if (r.Status == 503)
            {
                rejected[i]++;
            }
            else
            {
                failed[i]++;
            }
        }

        var top = 40;
        var seriesTop = top + PanelHeight + 30;
        var bandsTop = seriesTop + (series.Count > 0 ? SeriesHeight + 30 : 0);
        var height = bandsTop + (breakers.Count * (BandHeight + 6)) + 50;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{Esc(title)}</text>");

        // Requests per second.
        var max = Math.Max(1, accepted.Concat(rejected).Concat(failed).Max());
        max = Nice(max);
        double Y(double v) => top + PanelHeight - (v / max * PanelHeight);
        Axes(svg, top, PanelHeight, max, "requests/s");
        Line(svg, accepted, X, Y, "#2e7d32");
        Line(svg, rejected, X, Y, "#ef6c00");
        Line(svg, failed, X, Y, "#c62828");
        Legend(svg, top - 8, [("accepted/s", "#2e7d32"), ("503 + Retry-After/s", "#ef6c00"), ("failed/s (other status, timeout, connection error)", "#c62828")]);

        // Sampled series.
        if (series.Count > 0)
        {
            var values = series.SelectMany(s => timeline.Series.TryGetValue(s, out var q) ? q.Select(p => p.Value) : []).DefaultIfEmpty(1).ToList();
            var smax = Nice(Math.Max(1, values.Max()));
            double SY(double v) => seriesTop + SeriesHeight - (v / smax * SeriesHeight);
            Axes(svg, seriesTop, SeriesHeight, smax, seriesUnit ?? string.Empty);
            string[] colors = ["#1565c0", "#6a1b9a", "#00838f", "#5d4037", "#ad1457", "#558b2f"];
            var legend = new List<(string, string)>();
            for (var i = 0; i < series.Count; i++)
            {
                if (timeline.Series.TryGetValue(series[i], out var points))
                {
                    var color = colors[i % colors.Length];
                    svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"");
                    foreach (var (at, value) in points.OrderBy(p => p.At))
                    {
                        svg.Append(CultureInfo.InvariantCulture, $"{X(at):0.#},{SY(value):0.#} ");
                    }

                    svg.Append("\"/>");
                    legend.Add((series[i], color));
                }
            }

            Legend(svg, seriesTop - 8, legend);
        }

        // Breaker bands.
        for (var b = 0; b < breakers.Count; b++)
        {
            var y = bandsTop + (b * (BandHeight + 6));
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + 12}\" text-anchor=\"end\">{Esc(breakers[b])}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{y}\" width=\"{plotWidth}\" height=\"{BandHeight}\" fill=\"#bdbdbd\"/>");
            // One rectangle per run of equal samples; a gap in sampling over 5 s (the replica was restarting) stays grey.
            var states = timeline.BreakerStates.Where(s => s.Breaker == breakers[b]).OrderBy(s => s.At).ToList();
            for (var i = 0; i < states.Count;)
            {
                var from = states[i].At;
                var j = i;
                while (j + 1 < states.Count && states[j + 1].State == states[i].State && states[j + 1].At - states[j].At <= 5)
                {
                    j++;
                }

                var to = j + 1 < states.Count ? Math.Min(states[j + 1].At, states[j].At + 5) : end;
                var color = states[i].State switch { "CLOSED" => "#66bb6a", "HALF_OPEN" => "#ffb300", "OPEN" => "#e53935", _ => "#bdbdbd" };
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{X(from):0.#}\" y=\"{y}\" width=\"{Math.Max(1, X(to) - X(from)):0.#}\" height=\"{BandHeight}\" fill=\"{color}\"/>");
                i = j + 1;
            }
        }

        if (breakers.Count > 0)
        {
            Legend(svg, bandsTop - 8, [("breaker CLOSED", "#66bb6a"), ("HALF_OPEN", "#ffb300"), ("OPEN", "#e53935"), ("not sampled", "#bdbdbd")]);
        }

        // Time axis and events.
        var axisY = height - 30;
        for (var t = 0; t <= seconds; t += Step(end))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{X(t):0.#}\" y1=\"{axisY}\" x2=\"{X(t):0.#}\" y2=\"{axisY + 4}\" stroke=\"#444\"/><text x=\"{X(t):0.#}\" y=\"{axisY + 16}\" text-anchor=\"middle\">{t}s</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{axisY}\" x2=\"{Left + plotWidth}\" y2=\"{axisY}\" stroke=\"#444\"/>");
        var labelRow = 0;
        foreach (var (at, label) in timeline.Events.OrderBy(e => e.At))
        {
            var x = X(at);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.#}\" y1=\"{top}\" x2=\"{x:0.#}\" y2=\"{axisY}\" stroke=\"#555\" stroke-dasharray=\"4,3\"/>");
            var anchor = x > Width - Right - 260 ? $"x=\"{x - 3:0.#}\" text-anchor=\"end\"" : $"x=\"{x + 3:0.#}\"";
            svg.Append(CultureInfo.InvariantCulture, $"<text {anchor} y=\"{top + 12 + (labelRow * 12)}\" fill=\"#333\">{Esc(label)}</text>");
            labelRow = (labelRow + 1) % 6;
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static void Axes(StringBuilder svg, int top, int height, double max, string unit)
    {
        for (var i = 0; i <= 4; i++)
        {
            var v = max * i / 4;
            var y = top + height - (height * i / 4.0);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Width - Right}\" y2=\"{y:0.#}\" stroke=\"#eee\"/><text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{v:0.##}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{top + (height / 2)}\" transform=\"rotate(-90 14 {top + (height / 2)})\" text-anchor=\"middle\">{Esc(unit)}</text>");
    }

    private static void Line(StringBuilder svg, double[] values, Func<double, double> x, Func<double, double> y, string color)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"");
        for (var i = 0; i < values.Length; i++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"{x(i + 0.5):0.#},{y(values[i]):0.#} ");
        }

        svg.Append("\"/>");
    }

    private static void Legend(StringBuilder svg, int y, IReadOnlyList<(string Label, string Color)> items)
    {
        var x = Left;
        foreach (var (label, color) in items)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y - 8}\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"{x + 14}\" y=\"{y + 1}\">{Esc(label)}</text>");
            x += 26 + (label.Length * 7);
        }
    }

    private static double Nice(double max)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var m in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (m * magnitude >= max)
            {
                return m * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static int Step(double end) => end switch { <= 60 => 5, <= 180 => 15, <= 400 => 30, _ => 60 };

    private static string Esc(string text) => WebUtility.HtmlEncode(text);
}
