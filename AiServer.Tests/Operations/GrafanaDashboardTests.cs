using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.Operations;

/// <summary>
/// deploy/grafana/aiserver.json: every query of every panel (rows' nested panels included, so rows added later are
/// covered) parses in a real Prometheus and returns series from the running services.
/// </summary>
[Collection(PrometheusFleetCollection.Name)]
public sealed partial class GrafanaDashboardTests(PrometheusFleetFixture fleet)
{
    private static string DashboardPath => Path.Combine(SolutionPaths.Root, "deploy", "grafana", "aiserver.json");

    [Fact]
    public void Dashboard_Layout_SeedsRowsAndEveryPanelQueriesTheDatasourceVariable()
    {
        // Arrange + Act
        var dashboard = JsonNode.Parse(File.ReadAllText(DashboardPath))!;
        var rows = dashboard["panels"]!.AsArray().Where(p => p!["type"]!.GetValue<string>() == "row").Select(p => p!["title"]!.GetValue<string>()).ToList();
        var panels = Panels(dashboard).ToList();

        // Assert
        Assert.Equal(["System overview", "Circuit breakers", "Database", "External APIs", "Jobs"], rows);
        Assert.Contains(dashboard["templating"]!["list"]!.AsArray(), v => v!["name"]!.GetValue<string>() == "datasource" && v["type"]!.GetValue<string>() == "datasource");
        Assert.All(panels, p =>
        {
            var title = p["title"]!.GetValue<string>();
            Assert.True(p["datasource"]?["uid"]?.GetValue<string>() == "${datasource}", $"panel '{title}' should use the datasource variable");
            Assert.True(p["targets"]?.AsArray().Count > 0, $"panel '{title}' has no query");
            Assert.All(p["targets"]!.AsArray(), t => Assert.False(string.IsNullOrWhiteSpace(t!["expr"]?.GetValue<string>()), $"panel '{title}' has an empty query"));
        });
        Assert.Equal(panels.Count, panels.Select(p => p["id"]!.GetValue<int>()).Distinct().Count());
    }

    [Fact]
    public async Task Dashboard_EveryPanelQuery_ParsesAndReturnsSeriesFromTheRunningServices()
    {
        // Arrange: traffic that makes every family the dashboard reads appear: requests, provider calls (a 429 from
        // ElevenLabs starts its cool-down and the retry is rejected), Supabase calls, a breaker recovery.
        var ct = TestContext.Current.CancellationToken;
        foreach (var service in fleet.ApiUrls.Append(fleet.WorkersUrl))
        {
            using var notFound = await fleet.Http.GetAsync(new Uri(service, "no-such-route"), ct);
        }

        // One 429 with an 11 s Retry-After: the first probe meets it, the probes right after it are held back by the
        // fleet's cool-down (a rejection with reason cooldown) without reaching the emulator. One 503 from Sync Labs: its
        // probe is retried (a retry attempt; a Retry-After above the preset's 10 s is not retried).
        await fleet.Emulator.AddFaultAsync(new { provider = "elevenlabs", kind = "rateLimit", retryAfterSeconds = 11, count = 1 });
        await fleet.Emulator.AddFaultAsync(new { provider = "synclabs", kind = "error", statusCode = 503, count = 1 });
        foreach (var api in fleet.ApiUrls.Prepend(fleet.ApiUrls[0]))
        {
            await fleet.AdminGetAsync(api, "health/detailed?refresh=true");
        }

        // One job to its end, so the job counters and the duration histogram have samples.
        await fleet.SubmitJobAsync();

        // A recovery every instance applies: OPEN seen everywhere first, then the reset.
        await fleet.AdminPostAsync("admin/circuit-breakers/bfl/force-open?reason=dashboard-drill");
        try
        {
            await Wait.UntilAsync(async () => (await fleet.Prometheus.QueryAsync("circuit_breaker_state{name=\"bfl\"} == 2"))["data"]?["result"]?.AsArray().Count == 3,
                PrometheusFleetFixture.Bound, () => $"every target to report bfl OPEN.{Environment.NewLine}{fleet.Describe()}", TimeSpan.FromMilliseconds(500));
        }
        finally
        {
            await fleet.AdminPostAsync("admin/circuit-breakers/bfl/reset");
        }

        var queries = Panels(JsonNode.Parse(await File.ReadAllTextAsync(DashboardPath, ct))!)
            .SelectMany(p => p["targets"]!.AsArray().Select(t => (Panel: p["title"]!.GetValue<string>(), Expr: t!["expr"]!.GetValue<string>())))
            .ToList();

        // Act: poll every query until it returns series (series appear within a few scrapes) or the bound passes.
        var problems = queries.ToDictionary(q => q, _ => "not queried yet");
        await Wait.UntilAsync(
            async () =>
            {
                foreach (var query in problems.Keys.ToList())
                {
                    var answer = await fleet.Prometheus.QueryAsync(Substitute(query.Expr));
                    if (answer["status"]!.GetValue<string>() != "success")
                    {
                        problems[query] = $"{answer["errorType"]}: {answer["error"]}";
                    }
                    else if (answer["data"]!["result"]!.AsArray().Count == 0)
                    {
                        problems[query] = "no series";
                    }
                    else
                    {
                        problems.Remove(query);
                    }
                }

                // A parse error will not heal: stop waiting at once.
                return problems.Count == 0 || problems.Values.Any(v => v.StartsWith("bad_data", StringComparison.Ordinal));
            },
            PrometheusFleetFixture.Bound,
            () => "every panel query to return series. Still failing:" + Environment.NewLine + Describe(problems) + Environment.NewLine + fleet.Describe(),
            TimeSpan.FromSeconds(1));

        // Assert
        Assert.True(problems.Count == 0, "panel queries that fail:" + Environment.NewLine + Describe(problems));

        // The next test of the collection gets a healthy fleet back (the cool-down ends, the probes are refreshed).
        await fleet.WaitAllHealthyAsync();
    }

    /// <summary>Every panel that is not a row, including those nested in collapsed rows.</summary>
    private static IEnumerable<JsonNode> Panels(JsonNode dashboard) =>
        dashboard["panels"]!.AsArray().SelectMany(p => p!["type"]!.GetValue<string>() == "row" ? p["panels"]?.AsArray().Select(n => n!) ?? [] : [p]);

    /// <summary>Grafana's variables as a 2 s scrape interval would set them.</summary>
    private static string Substitute(string expr) =>
        GrafanaVariable().Replace(expr, m => m.Groups["name"].Value switch
        {
            "__rate_interval" => "1m",
            "__interval" or "__range" => "30s",
            var other => throw new InvalidOperationException($"The dashboard uses the variable ${other}; teach the test its value."),
        });

    private static string Describe(Dictionary<(string Panel, string Expr), string> problems) =>
        string.Join(Environment.NewLine, problems.Select(p => $"  [{p.Key.Panel}] {p.Key.Expr} -> {p.Value}"));

    [GeneratedRegex(@"\$\{?(?<name>[A-Za-z_][A-Za-z0-9_]*)\}?")]
    private static partial Regex GrafanaVariable();
}
