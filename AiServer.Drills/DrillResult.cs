using System.Globalization;
using System.Text;

namespace AiServer.Drills;

/// <summary>What one drill measured and whether each of its criteria held.</summary>
internal sealed class DrillResult(string name, string title)
{
    public string Name { get; } = name;

    public string Title { get; } = title;

    public List<(string Criterion, string Measured, bool Pass)> Criteria { get; } = [];

    public List<(string Figure, string Value)> Figures { get; } = [];

    public List<string> Notes { get; } = [];

    public bool Passed => Criteria.Count > 0 && Criteria.All(c => c.Pass);

    public double DurationSeconds { get; set; }

    public void Check(string criterion, bool pass, string measured) => Criteria.Add((criterion, measured, pass));

    public void Figure(string figure, FormattableString value) => Figures.Add((figure, value.ToString(CultureInfo.InvariantCulture)));

    public void Figure(string figure, string value) => Figures.Add((figure, value));

    /// <summary>The drill's section of docs/DRILLS.md.</summary>
    public string Markdown(string command, string machine, DateTimeOffset date)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"## {Title}: {(Passed ? "PASS" : "FAIL")}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"`{command}` — {date:yyyy-MM-dd HH:mm} UTC, {machine}, {DurationSeconds:0} s.");
        md.AppendLine();
        md.AppendLine("| criterion | measured | |");
        md.AppendLine("|---|---|---|");
        foreach (var (criterion, measured, pass) in Criteria)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(criterion)} | {Cell(measured)} | {(pass ? "pass" : "**FAIL**")} |");
        }

        md.AppendLine();
        md.AppendLine("| figure | value |");
        md.AppendLine("|---|---|");
        foreach (var (figure, value) in Figures)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(figure)} | {Cell(value)} |");
        }

        md.AppendLine();
        foreach (var note in Notes)
        {
            md.AppendLine(note);
            md.AppendLine();
        }

        md.AppendLine(CultureInfo.InvariantCulture, $"![{Title}](drills/{Name}.svg)");
        md.AppendLine();
        return md.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}

internal static class Stats
{
    /// <summary>The nearest-rank percentile (0..100) of <paramref name="values"/>; NaN when empty.</summary>
    public static double Percentile(IEnumerable<double> values, double percentile)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static string Ms(double value) => double.IsNaN(value) ? "-" : value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " ms";

    public static string S(double value) => double.IsNaN(value) ? "-" : value.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
