using System.Globalization;
using AiServer.Providers;
using AiServer.ServiceDefaults.Resilience;
using AiServer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static AiServer.Tests.Providers.Health.HealthFleet;

namespace AiServer.Tests.Providers.Health;

/// <summary>
/// Fleet-shared provider probes: api instances in-process (real Kestrel, their own Redis connections and breakers)
/// sharing one real redis-server and one emulator, whose request log says which probes reached a provider.
/// </summary>
public sealed class SharedProviderHealthTests(ProviderEmulatorFixture emulator, RedisServer redis) : IClassFixture<ProviderEmulatorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Detailed_ThreeInstancesAfterTheSharedResultsExpire_OneProbePerProviderForTheFleet()
    {
        // Arrange: three instances; the first round fills the shared results, one probe per provider.
        var prefix = Prefix();
        await using var a = await StartInstanceAsync(redis.ConnectionString, prefix, "api-a");
        await using var b = await StartInstanceAsync(redis.ConnectionString, prefix, "api-b");
        await using var c = await StartInstanceAsync(redis.ConnectionString, prefix, "api-c");
        var instances = new[] { a, b, c };
        var before = await ProbeCountsAsync();
        foreach (var app in instances)
        {
            await DetailedAsync(app);
        }

        var afterFirstRound = await ProbeCountsAsync();
        Assert.All(ProbePaths.Keys, p => Assert.True(afterFirstRound[p] == before[p] + 1, $"{p}: {afterFirstRound[p] - before[p]} probes in the first round, expected 1"));

        // The cache expires: every shared result is made older than the cache period, as the passing of time on
        // Redis's clock would (the period is 10 minutes here, so nothing else expires while the round runs).
        foreach (var provider in ProbePaths.Keys)
        {
            await redis.CliAsync("HSET", $"{prefix}{{health:{provider}}}", "at", "0");
        }

        // Act: all three at once.
        var reports = await Wait.ForAsync(Task.WhenAll(instances.Select(app => DetailedAsync(app))), RequestTimeout, "/health/detailed of three instances");

        // Assert: one probe per provider for the fleet; the instance that probed is the one all three name.
        var after = await ProbeCountsAsync();
        foreach (var provider in ProbePaths.Keys)
        {
            Assert.True(after[provider] == afterFirstRound[provider] + 1, $"{provider}: {after[provider] - afterFirstRound[provider]} probes after expiry, expected exactly 1 for the fleet");
            var checks = reports.Select(r => r.Checks[provider]).ToList();
            Assert.All(checks, ch => Assert.Equal("healthy", ch.Status));
            Assert.Single(checks, ch => ch.Text("source") == "probed");
            Assert.Equal(2, checks.Count(ch => ch.Text("source") == "shared"));
            var prober = checks.Single(ch => ch.Text("source") == "probed").Text("probedBy");
            Assert.All(checks, ch => Assert.Equal(prober, ch.Text("probedBy")));
            Assert.All(checks, ch => Assert.False(ch.Details.TryGetProperty("stale", out _), $"{provider} should not be served stale"));
        }
    }

    [Fact]
    public async Task Detailed_SharedResult_CarriesProbedByAndProbedAtToEveryInstance()
    {
        // Arrange
        var prefix = Prefix();
        await using var prober = await StartInstanceAsync(redis.ConnectionString, prefix, "api-prober");
        await using var reader = await StartInstanceAsync(redis.ConnectionString, prefix, "api-reader");
        using var proberProbes = ProbeCounter(prober);
        using var readerProbes = ProbeCounter(reader);

        // Act
        var probed = await DetailedAsync(prober);
        var read = await DetailedAsync(reader);

        // Assert: the reader serves the prober's result, who and when included; Redis holds the same.
        var mine = probed.Checks["replicate"];
        var shared = read.Checks["replicate"];
        Assert.Equal(("probed", "api-prober", false), (mine.Text("source"), mine.Text("probedBy"), mine.Details.GetProperty("cached").GetBoolean()));
        Assert.Equal(("shared", "api-prober", true), (shared.Text("source"), shared.Text("probedBy"), shared.Details.GetProperty("cached").GetBoolean()));
        Assert.Equal(mine.Text("probedAt"), shared.Text("probedAt"));
        Assert.True(DateTimeOffset.TryParse(shared.Text("probedAt"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var probedAt), "probedAt should be an ISO 8601 time");
        Assert.Equal(probedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), await redis.CliAsync("HGET", $"{prefix}{{health:replicate}}", "at"));
        Assert.Equal("api-prober", await redis.CliAsync("HGET", $"{prefix}{{health:replicate}}", "probedBy"));
        Assert.Equal(mine.Text("account"), shared.Text("account"));
        Assert.True(shared.Details.GetProperty("probeResponseTime").GetDouble() >= 0, "probeResponseTime should be the probe's duration");
        Assert.Equal("0", await redis.CliAsync("EXISTS", $"{prefix}{{health:replicate}}:lease"));

        // The metric says the same (per instance: in-process hosts' exporters see each other's meters, so the counts
        // are taken from each host's own meter), and the scrape stays clean for promtool.
        Assert.Equal(["probed"], Sources(proberProbes, "replicate"));
        Assert.Equal(["shared"], Sources(readerProbes, "replicate"));
        var readerScrape = await reader.Client.GetStringAsync("/metrics", Ct);
        Assert.Contains("provider_health_probes_total{provider=\"replicate\",source=\"shared\"}", PrometheusScrape.Normalize(readerScrape), StringComparison.Ordinal);
        var findings = await Promtool.LintMetricsAsync(readerScrape, Ct);
        Assert.True(findings.Length == 0, $"promtool check metrics reported:\n{findings}");
    }

    [Fact]
    public async Task Detailed_RedisDown_EachInstanceProbesForItselfAndStillAnswers()
    {
        // Arrange: three instances on a Redis of their own, one shared round, then Redis dies.
        await using var server = await RedisServer.StartAsync(cancellationToken: Ct);
        var prefix = Prefix();
        await using var a = await StartInstanceAsync(server.ConnectionString, prefix, "api-a");
        await using var b = await StartInstanceAsync(server.ConnectionString, prefix, "api-b");
        await using var c = await StartInstanceAsync(server.ConnectionString, prefix, "api-c");
        var instances = new[] { (App: a, Id: "api-a"), (App: b, Id: "api-b"), (App: c, Id: "api-c") };
        foreach (var (app, _) in instances)
        {
            await DetailedAsync(app);
        }

        using var probesOfB = ProbeCounter(b);
        server.Kill();
        var before = await ProbeCountsAsync();

        // Act: an operator's refresh on each (drops what each instance cached of its own probes).
        var reports = new List<DetailedReport>();
        foreach (var (app, _) in instances)
        {
            reports.Add(await DetailedAsync(app, refresh: true));
        }

        var again = await DetailedAsync(a);

        // Assert: every instance answered, each probed every provider for itself, once.
        var after = await ProbeCountsAsync();
        foreach (var provider in ProbePaths.Keys)
        {
            Assert.True(after[provider] == before[provider] + 3, $"{provider}: {after[provider] - before[provider]} probes with Redis down, expected one per instance (3)");
            foreach (var (report, (_, id)) in reports.Zip(instances))
            {
                var check = report.Checks[provider];
                Assert.Equal("healthy", check.Status);
                Assert.Equal(("local", id, false), (check.Text("source"), check.Text("probedBy"), check.Details.GetProperty("cached").GetBoolean()));
            }

            Assert.Equal(("local", "api-a", true), (again.Checks[provider].Text("source"), again.Checks[provider].Text("probedBy"), again.Checks[provider].Details.GetProperty("cached").GetBoolean()));
        }

        Assert.All(reports, r => Assert.Equal("unhealthy", r.Checks["redis"].Status));
        Assert.Equal(["local"], Sources(probesOfB, "bfl"));
    }

    [Fact]
    public async Task Detailed_RedisFrozen_EachInstanceFallsBackWithinTheSharedTimeoutAndAnswers()
    {
        // Arrange: two instances with the default deadlines and Redis timeout (500 ms); one shared round, then Redis
        // stops answering but keeps its connections open (SIGSTOP), the case no connection error announces.
        await using var server = await RedisServer.StartAsync(cancellationToken: Ct);
        var prefix = Prefix();
        var defaults = new Dictionary<string, string?>
        {
            ["Providers:Health:ProbeTimeout"] = "00:00:03",
            ["Providers:Health:SharedTimeout"] = "00:00:00.500",
            ["Health:Deadlines:Detailed"] = "00:00:05",
        };
        await using var a = await StartInstanceAsync(server.ConnectionString, prefix, "api-a", defaults);
        await using var b = await StartInstanceAsync(server.ConnectionString, prefix, "api-b", defaults);
        await DetailedAsync(a);
        await DetailedAsync(b);
        server.Pause();
        try
        {
            var before = await ProbeCountsAsync();

            // Act
            var report = await DetailedAsync(b, refresh: true);

            // Assert: answered, every provider from b's own probe, none reported as a timed-out check.
            var after = await ProbeCountsAsync();
            foreach (var provider in ProbePaths.Keys)
            {
                var check = report.Checks[provider];
                Assert.Equal(("local", "api-b"), (check.Text("source"), check.Text("probedBy")));
                Assert.True(check.Text("message")?.Contains("did not answer within", StringComparison.Ordinal) != true, $"{provider}: {check.Text("message")}");
                Assert.Equal(before[provider] + 1, after[provider]);
            }
        }
        finally
        {
            server.Resume();
        }
    }

    [Fact]
    public async Task Detailed_BreakerOpen_NoProbeNoLeaseAndNothingShared()
    {
        // Arrange
        var prefix = Prefix();
        await using var app = await StartInstanceAsync(redis.ConnectionString, prefix, "api-open");
        await app.App.Services.GetRequiredService<ICircuitBreakerRegistry>().Get(ProviderNames.Replicate).ForceOpenAsync("test isolation", Ct);
        var before = await ProbeCountsAsync();

        // Act
        var report = await DetailedAsync(app);

        // Assert: degraded with the reason, the provider untouched, and no Redis key for it.
        var check = report.Checks["replicate"];
        Assert.Equal("degraded", check.Status);
        Assert.Equal("OPEN", check.Text("circuitBreaker"));
        Assert.Equal(before["replicate"], (await ProbeCountsAsync())["replicate"]);
        Assert.Equal("0", await redis.CliAsync("EXISTS", $"{prefix}{{health:replicate}}", $"{prefix}{{health:replicate}}:lease"));
        Assert.Equal("probed", report.Checks["bfl"].Text("source"));
    }

    [Fact]
    public async Task Detailed_LeaseHeldAndNoResultInTime_ServesThePreviousResultMarkedStaleWithoutProbing()
    {
        // Arrange: a stale shared result, and the lease held by an instance that will never publish (it hung).
        var prefix = Prefix();
        await using var app = await StartInstanceAsync(redis.ConnectionString, prefix, "api-waiting", new Dictionary<string, string?>
        {
            ["Providers:Health:ProbeTimeout"] = "00:00:01",
            ["Providers:Health:SharedTimeout"] = "00:00:01",
        });
        await PlantResultAsync(prefix, "replicate", at: 0, probedBy: "api-earlier");
        await redis.CliAsync("SET", $"{prefix}{{health:replicate}}:lease", "api-hung", "PX", "600000");
        var before = await ProbeCountsAsync();

        // Act: waits the holder's probe deadline (1 s + 1 s), then answers.
        var report = await DetailedAsync(app);

        // Assert
        var check = report.Checks["replicate"];
        Assert.Equal(("shared", "api-earlier", "api-hung"), (check.Text("source"), check.Text("probedBy"), check.Text("probeHeldBy")));
        Assert.True(check.Details.GetProperty("stale").GetBoolean(), "the previous result should be marked stale");
        Assert.Equal("planted result", check.Text("message"));
        Assert.Equal(before["replicate"], (await ProbeCountsAsync())["replicate"]);
    }

    [Fact]
    public async Task Detailed_LeaseHolderPublishesWhileAnotherWaits_TheWaiterServesThatResult()
    {
        // Arrange: the lease is held by another instance that is probing (its result not in yet).
        var prefix = Prefix();
        await using var app = await StartInstanceAsync(redis.ConnectionString, prefix, "api-waiting");
        await PlantResultAsync(prefix, "replicate", at: 0, probedBy: "api-earlier");
        await redis.CliAsync("SET", $"{prefix}{{health:replicate}}:lease", "api-winner", "PX", "600000");
        var before = await ProbeCountsAsync();

        // Act: the check starts waiting; the holder then publishes (the way publish.lua does: result, then no lease).
        var detailed = DetailedAsync(app);
        await Task.Delay(TimeSpan.FromMilliseconds(300), Ct);
        await PlantResultAsync(prefix, "replicate", at: await RedisNowMsAsync(), probedBy: "api-winner");
        await redis.CliAsync("DEL", $"{prefix}{{health:replicate}}:lease");
        var report = await Wait.ForAsync(detailed, RequestTimeout, "/health/detailed while the lease holder publishes");

        // Assert: the winner's result, fresh, and no probe of our own.
        var check = report.Checks["replicate"];
        Assert.Equal(("shared", "api-winner"), (check.Text("source"), check.Text("probedBy")));
        Assert.False(check.Details.TryGetProperty("stale", out _), "the winner's result is fresh");
        Assert.Equal(before["replicate"], (await ProbeCountsAsync())["replicate"]);
    }

    [Fact]
    public async Task Detailed_LeaseHolderGone_TheWaiterTakesTheLeaseWhenItExpiresAndProbes()
    {
        // Arrange: a crashed instance's lease, expiring in 1.5 s; this instance waits far longer than that.
        var prefix = Prefix();
        await using var app = await StartInstanceAsync(redis.ConnectionString, prefix, "api-waiting");
        await redis.CliAsync("SET", $"{prefix}{{health:replicate}}:lease", "api-crashed", "PX", "1500");
        var before = await ProbeCountsAsync();

        // Act
        var report = await DetailedAsync(app);

        // Assert: it probed (once) and shared its result.
        var check = report.Checks["replicate"];
        Assert.Equal(("probed", "api-waiting"), (check.Text("source"), check.Text("probedBy")));
        Assert.Equal(before["replicate"] + 1, (await ProbeCountsAsync())["replicate"]);
        Assert.Equal("api-waiting", await redis.CliAsync("HGET", $"{prefix}{{health:replicate}}", "probedBy"));
    }

    /// <summary>A shared result as publish.lua writes it (the key layout is the documented contract).</summary>
    private async Task PlantResultAsync(string prefix, string provider, long at, string probedBy) =>
        await redis.CliAsync(
            "HSET", $"{prefix}{{health:{provider}}}",
            "at", at.ToString(CultureInfo.InvariantCulture),
            "status", "healthy",
            "description", "planted result",
            "data", "{\"account\":\"planted\"}",
            "responseTimeMs", "12.5",
            "probedBy", probedBy);

    private async Task<long> RedisNowMsAsync()
    {
        var time = (await redis.CliAsync("TIME")).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(time[0], CultureInfo.InvariantCulture) * 1000) + (long.Parse(time[1], CultureInfo.InvariantCulture) / 1000);
    }

    private Task<TestWebApp> StartInstanceAsync(string connectionString, string prefix, string id, IDictionary<string, string?>? overrides = null) =>
        HealthFleet.StartInstanceAsync(emulator, connectionString, prefix, id, overrides);

    private Task<Dictionary<string, int>> ProbeCountsAsync() => HealthFleet.ProbeCountsAsync(emulator);
}
