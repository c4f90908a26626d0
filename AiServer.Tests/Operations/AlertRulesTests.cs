using AiServer.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace AiServer.Tests.Operations;

/// <summary>
/// deploy/prometheus/alerts.yml as operators receive it: every alert documented and linked to its runbook section, and
/// covered by a promtool unit test (deploy/prometheus/tests, run by test.sh) that makes it fire and keeps it quiet.
/// </summary>
public sealed class AlertRulesTests
{
    private static string PrometheusDirectory => Path.Combine(SolutionPaths.Root, "deploy", "prometheus");

    [Fact]
    public void Alerts_EveryRule_HasSeverityAnnotationsAndARunbookSectionThatExists()
    {
        // Arrange
        var headings = File.ReadAllLines(Path.Combine(SolutionPaths.Root, "docs", "runbook.md"))
            .Where(l => l.StartsWith("## ", StringComparison.Ordinal)).Select(l => l[3..].Trim().ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);

        // Act
        var alerts = Alerts().ToList();

        // Assert
        string[] required =
        [
            "HighErrorRate", "CircuitBreakerOpen", "HighMemoryUsage", "DatabaseSlowResponse", // the seeds'
            "CircuitBreakerSyncLocalFallback", "RedisUnreachable", "ReadinessFlapping", "HighP99Latency",
            "JobQueueOldestAge", "DeadLettersGrowing", "OutboxLag", "WebhookDeliveryFailures",
        ];
        Assert.Empty(required.Except(alerts.Select(a => a.Name), StringComparer.Ordinal));
        Assert.Equal(alerts.Count, alerts.Select(a => a.Name).Distinct(StringComparer.Ordinal).Count());
        foreach (var (name, rule) in alerts)
        {
            Assert.True(Scalar(rule, "for") is not null, $"{name} has no 'for'");
            Assert.True(Scalar(Map(rule, "labels"), "severity") is "warning" or "critical", $"{name} needs severity warning or critical");
            var annotations = Map(rule, "annotations");
            Assert.False(string.IsNullOrWhiteSpace(Scalar(annotations, "summary")), $"{name} has no summary");
            Assert.False(string.IsNullOrWhiteSpace(Scalar(annotations, "description")), $"{name} has no description");
            Assert.Equal($"docs/runbook.md#{name.ToLowerInvariant()}", Scalar(annotations, "runbook_url"));
            Assert.True(headings.Contains(name.ToLowerInvariant()), $"docs/runbook.md has no '## {name}' section");
        }
    }

    [Fact]
    public void PromtoolTests_EveryAlert_HasACaseThatFiresAndACaseThatStaysQuiet()
    {
        // Arrange: every alert_rule_test of every test file, by alert name.
        var cases = new List<(string Alert, bool Fires, string File)>();
        foreach (var file in Directory.GetFiles(Path.Combine(PrometheusDirectory, "tests"), "*.test.yml"))
        {
            var root = Load(file);
            Assert.Equal("../alerts.yml", ((YamlSequenceNode)root.Children[new YamlScalarNode("rule_files")]).Children.Single().ToString());
            foreach (var test in ((YamlSequenceNode)root.Children[new YamlScalarNode("tests")]).Children.Cast<YamlMappingNode>())
            {
                foreach (var check in ((YamlSequenceNode)test.Children[new YamlScalarNode("alert_rule_test")]).Children.Cast<YamlMappingNode>())
                {
                    var expected = (YamlSequenceNode)check.Children[new YamlScalarNode("exp_alerts")];
                    cases.Add((Scalar(check, "alertname")!, expected.Children.Count > 0, Path.GetFileName(file)));
                }
            }
        }

        // Act + Assert
        foreach (var (name, _) in Alerts())
        {
            Assert.True(cases.Any(c => c.Alert == name && c.Fires), $"no promtool case makes {name} fire");
            Assert.True(cases.Any(c => c.Alert == name && !c.Fires), $"no promtool case keeps {name} quiet");
        }

        Assert.All(cases, c => Assert.Contains(c.Alert, Alerts().Select(a => a.Name)));
    }

    private static IEnumerable<(string Name, YamlMappingNode Rule)> Alerts() =>
        ((YamlSequenceNode)Load(Path.Combine(PrometheusDirectory, "alerts.yml")).Children[new YamlScalarNode("groups")]).Children.Cast<YamlMappingNode>()
            .SelectMany(g => ((YamlSequenceNode)g.Children[new YamlScalarNode("rules")]).Children.Cast<YamlMappingNode>())
            .Select(r => (Scalar(r, "alert")!, r));

    private static YamlMappingNode Load(string path)
    {
        using var reader = new StreamReader(path);
        var stream = new YamlStream();
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (YamlMappingNode)value : new YamlMappingNode();

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;
}
