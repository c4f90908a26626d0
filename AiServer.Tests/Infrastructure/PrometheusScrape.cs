using System.Text.RegularExpressions;

namespace AiServer.Tests.Infrastructure;

/// <summary>A Prometheus text scrape as tests read it: without the <c>otel_scope_name</c> label the exporter adds to every series.</summary>
public static partial class PrometheusScrape
{
    /// <summary><c>x{otel_scope_name="S",a="b"} 1</c> becomes <c>x{a="b"} 1</c>, and <c>x{otel_scope_name="S"} 1</c> becomes <c>x 1</c>.</summary>
    public static string Normalize(string scrape) => EmptyLabels().Replace(ScopeLabel().Replace(scrape, string.Empty), " ");

    [GeneratedRegex("otel_scope_(name|version)=\"[^\"]*\",?")]
    private static partial Regex ScopeLabel();

    [GeneratedRegex(@"\{\} ")]
    private static partial Regex EmptyLabels();
}
