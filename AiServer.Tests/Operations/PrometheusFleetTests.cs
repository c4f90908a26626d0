using System.Text.Json.Nodes;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.Operations;

/// <summary>deploy/prometheus/alerts.yml loaded by a real Prometheus that scrapes the running api replicas and workers.</summary>
[Collection(PrometheusFleetCollection.Name)]
public sealed class PrometheusFleetTests(PrometheusFleetFixture fleet)
{
    [Fact]
    public async Task Targets_ApiReplicasAndWorkers_EveryTargetUpAndEveryRuleEvaluates()
    {
        // Arrange
        var expected = fleet.ApiUrls.Select(u => ("aiserver-api", u.Authority)).Append(("aiserver-workers", fleet.WorkersUrl.Authority)).ToHashSet();
        var ruleCount = (await File.ReadAllLinesAsync(PrometheusFleetFixture.AlertRulesPath, TestContext.Current.CancellationToken))
            .Count(l => l.TrimStart().StartsWith("- alert:", StringComparison.Ordinal));

        // Act + Assert: every target up.
        JsonArray targets = [];
        await Wait.UntilAsync(
            async () =>
            {
                targets = (await fleet.Prometheus.GetDataAsync("api/v1/targets?state=active"))["activeTargets"]!.AsArray();
                return targets.Count == expected.Count && targets.All(t => t!["health"]!.GetValue<string>() == "up");
            },
            PrometheusFleetFixture.Bound,
            () => $"every target up. Targets: {targets.ToJsonString()}{Environment.NewLine}{fleet.Describe()}",
            TimeSpan.FromMilliseconds(500));
        Assert.Equal(expected, targets.Select(t => (t!["labels"]!["job"]!.GetValue<string>(), t["labels"]!["instance"]!.GetValue<string>())).ToHashSet());

        // Every rule is loaded and evaluates against the real series without an error.
        JsonArray rules = [];
        await Wait.UntilAsync(
            async () =>
            {
                rules = [.. (await fleet.Prometheus.GetDataAsync("api/v1/rules"))["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!.DeepClone())];
                return rules.Count == ruleCount && rules.All(r => r!["health"]!.GetValue<string>() == "ok" && r["lastEvaluation"]!.GetValue<string>() != "0001-01-01T00:00:00Z");
            },
            PrometheusFleetFixture.Bound,
            () => $"{ruleCount} rules loaded and evaluated with health ok. Rules: {rules.ToJsonString()}{Environment.NewLine}{fleet.Describe()}",
            TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task CircuitBreakerOpen_BreakerForcedOpenThroughAdminApi_PendingThenFiringThenResolvedAfterReset()
    {
        // Arrange: Prometheus has scraped the breaker CLOSED everywhere.
        const string Breaker = "replicate";
        await Wait.UntilAsync(async () => await SeriesCountAsync($"circuit_breaker_state{{name=\"{Breaker}\"}} == 0") == 3,
            PrometheusFleetFixture.Bound, () => $"all 3 targets to report {Breaker} CLOSED.{Environment.NewLine}{fleet.Describe()}", TimeSpan.FromMilliseconds(500));
        Assert.Null(await AlertStateAsync(Breaker));

        try
        {
            // Act
            await fleet.AdminPostAsync($"admin/circuit-breakers/{Breaker}/force-open?reason=alert-drill");

            // Assert: pending first (the copy's for is 10 s), then firing; every target reports the fleet's OPEN.
            string? firstSeen = null;
            await Wait.UntilAsync(async () => (firstSeen = await AlertStateAsync(Breaker)) is not null, PrometheusFleetFixture.Bound,
                () => $"CircuitBreakerOpen{{name={Breaker}}} in Prometheus' alerts.{Environment.NewLine}{fleet.Describe()}", TimeSpan.FromMilliseconds(200));
            Assert.Equal("pending", firstSeen);
            await Wait.UntilAsync(async () => await AlertStateAsync(Breaker) == "firing", PrometheusFleetFixture.Bound,
                () => $"CircuitBreakerOpen{{name={Breaker}}} to fire after {PrometheusFleetFixture.TestFor.TotalSeconds} s pending.{Environment.NewLine}{fleet.Describe()}",
                TimeSpan.FromMilliseconds(200));
            await Wait.UntilAsync(async () => await SeriesCountAsync($"circuit_breaker_state{{name=\"{Breaker}\"}} == 2") == 3, PrometheusFleetFixture.Bound,
                () => $"both api replicas and the workers to report {Breaker} OPEN (2).{Environment.NewLine}{fleet.Describe()}", TimeSpan.FromMilliseconds(500));
            var alert = (await AlertsAsync()).Single(a => a["labels"]!["name"]?.GetValue<string>() == Breaker);
            Assert.Equal("warning", alert["labels"]!["severity"]!.GetValue<string>());
            Assert.Equal("docs/runbook.md#circuitbreakeropen", alert["annotations"]!["runbook_url"]!.GetValue<string>());
            Assert.Contains(Breaker, alert["annotations"]!["summary"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        finally
        {
            await fleet.AdminPostAsync($"admin/circuit-breakers/{Breaker}/reset");
        }

        await Wait.UntilAsync(async () => await AlertStateAsync(Breaker) is null, PrometheusFleetFixture.Bound,
            () => $"CircuitBreakerOpen{{name={Breaker}}} to resolve after the reset.{Environment.NewLine}{fleet.Describe()}", TimeSpan.FromMilliseconds(500));
    }

    private async Task<List<JsonNode>> AlertsAsync() =>
        [.. (await fleet.Prometheus.GetDataAsync("api/v1/alerts"))["alerts"]!.AsArray()
            .Where(a => a!["labels"]!["alertname"]!.GetValue<string>() == "CircuitBreakerOpen").Select(a => a!)];

    private async Task<string?> AlertStateAsync(string breaker) =>
        (await AlertsAsync()).SingleOrDefault(a => a["labels"]!["name"]?.GetValue<string>() == breaker)?["state"]!.GetValue<string>();

    private async Task<int> SeriesCountAsync(string promql)
    {
        var answer = await fleet.Prometheus.QueryAsync(promql);
        return answer["data"]?["result"]?.AsArray().Count ?? throw new InvalidOperationException($"'{promql}': {answer.ToJsonString()}");
    }
}
