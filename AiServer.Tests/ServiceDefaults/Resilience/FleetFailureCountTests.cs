using System.Globalization;
using AiServer.ServiceDefaults.Resilience;
using AiServer.Tests.Infrastructure;
using static AiServer.Tests.ServiceDefaults.Resilience.FleetCircuitBreakerRedisTests;

namespace AiServer.Tests.ServiceDefaults.Resilience;

/// <summary>
/// Fleet-wide consecutive-failure counting (issue 17's drill: the fleet opens after at most its threshold of failures
/// in total, not per instance): two instances, each with its own host and Redis connections, on a real redis-server.
/// Every wait is bounded and says what it waited for.
/// </summary>
public sealed class FleetFailureCountTests(RedisServer redis)
{
    /// <summary>Commands a client sends to keep its connection (never a breaker's work).</summary>
    private static readonly HashSet<string> Housekeeping = ["info", "ping", "echo", "client", "cluster", "config", "subscribe", "psubscribe", "hello", "auth", "select", "command", "role", "sentinel"];

    private static Dictionary<string, string?> Svc(int failures = 5, string monitoring = "00:01:00", string? resync = null)
    {
        var settings = Breaker("svc", failures: failures);
        settings["CircuitBreakers:svc:MonitoringPeriod"] = monitoring;
        if (resync is not null)
        {
            settings["CircuitBreakerSync:ResyncInterval"] = resync;
        }

        return settings;
    }

    private static int? FleetCount(FleetNode node) => node.Breaker("svc").GetStats().FleetConsecutiveFailures;

    private static async Task WaitForFleetCountAsync(Fleet fleet, int count, string why)
    {
        foreach (var node in fleet.Nodes)
        {
            await Wait.UntilAsync(() => FleetCount(node) == count, Bound, () => $"{node.Id} to see the fleet count {count} ({why}); it sees {FleetCount(node)?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        }
    }

    [Fact]
    public async Task Failures_AlternatingOnTwoInstances_FleetOpensAfterTheThresholdInTotal()
    {
        // Arrange: threshold 5, two instances; A and B fail in turn (A three times, B twice).
        await using var fleet = await StartFleetAsync(redis.ConnectionString, 2, Svc(failures: 5));
        FleetNode a = fleet[0], b = fleet[1];
        FleetNode[] turns = [a, b, a, b];

        // Act + Assert: four failures in total leave the fleet CLOSED, each counted once fleet-wide.
        for (var i = 0; i < turns.Length; i++)
        {
            turns[i].Breaker("svc").Fail();
            await WaitForFleetCountAsync(fleet, i + 1, $"failure {i + 1} on {turns[i].Id}");
        }

        Assert.All(fleet.Nodes, node => Assert.Equal(CircuitState.Closed, node.Breaker("svc").State));
        a.Breaker("svc").Fail();

        // The fifth failure in total opens the fleet, though neither instance reached the threshold on its own.
        foreach (var node in fleet.Nodes)
        {
            await Wait.UntilAsync(() => node.Breaker("svc").Snapshot is { IsLocal: false, State: CircuitState.Open }, Bound, $"{node.Id} to see the fleet OPEN after 5 failures in total");
            Assert.Equal(Permit.Rejected, node.Breaker("svc").TryEnter(out var rejection));
            Assert.Equal(RejectionReason.Open, rejection!.Reason);
            Assert.Equal("node-0", node.Breaker("svc").GetStats().OpenedBy);
        }

        Assert.Equal(3, a.Breaker("svc").GetStats().ConsecutiveFailures);
        Assert.Equal(2, b.Breaker("svc").GetStats().ConsecutiveFailures);
        Assert.Equal("OPEN", await redis.CliAsync("HGET", fleet.Prefix + "{cb:svc}", "state"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Success_OnEitherInstanceBetweenFailures_ResetsTheFleetCount(int succeeding)
    {
        // Arrange: A fails three times (fleet count 3).
        await using var fleet = await StartFleetAsync(redis.ConnectionString, 2, Svc(failures: 5));
        var a = fleet[0];
        a.Breaker("svc").Fail(3);
        await WaitForFleetCountAsync(fleet, 3, "three failures on node-0");

        // Act: one success (on A or B), then four more failures on A: 3 + success + 4.
        fleet[succeeding].Breaker("svc").Succeed();
        await WaitForFleetCountAsync(fleet, 0, $"the success on node-{succeeding}");
        Assert.Equal(0, a.Breaker("svc").GetStats().ConsecutiveFailures);
        a.Breaker("svc").Fail(4);

        // Assert: four consecutive failures, below the threshold: the fleet stays CLOSED.
        await WaitForFleetCountAsync(fleet, 4, "four failures on node-0 after the success");
        Assert.All(fleet.Nodes, node => Assert.Equal(CircuitState.Closed, node.Breaker("svc").State));
        Assert.Equal("CLOSED", await redis.CliAsync("HGET", fleet.Prefix + "{cb:svc}", "state"));
    }

    [Fact]
    public async Task Failures_FartherApartThanMonitoringPeriod_RestartTheFleetCount()
    {
        // Arrange: threshold 3, monitoring period 1 s; A fails twice.
        await using var fleet = await StartFleetAsync(redis.ConnectionString, 2, Svc(failures: 3, monitoring: "00:00:01"));
        fleet[0].Breaker("svc").Fail(2);
        await WaitForFleetCountAsync(fleet, 2, "two failures on node-0");
        var last = long.Parse(await redis.CliAsync("HGET", fleet.Prefix + "{cb:svc}", "lastFailure"), CultureInfo.InvariantCulture);
        await Wait.UntilAsync(async () => await RedisNowMsAsync() - last > 1000, Bound, "Redis's clock to pass the monitoring period after the last failure");

        // Act: the next failures (on B, then A) come more than a monitoring period after the previous one.
        fleet[1].Breaker("svc").Fail();
        await WaitForFleetCountAsync(fleet, 1, "a failure after the monitoring period restarts the count");
        fleet[0].Breaker("svc").Fail();

        // Assert: 2 + 2 failures, but not consecutive within the period: CLOSED.
        await WaitForFleetCountAsync(fleet, 2, "one more failure on node-0");
        Assert.All(fleet.Nodes, node => Assert.Equal(CircuitState.Closed, node.Breaker("svc").State));
    }

    [Fact]
    public async Task Successes_FleetCountZero_NoRedisCommand()
    {
        // Arrange: an own server (no other test's commands), resync every 10 minutes (the initial load only), both
        // breakers loaded from Redis.
        await using var server = await RedisServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using var fleet = await StartFleetAsync(server.ConnectionString, 2, Svc(failures: 5, resync: "00:10:00"));
        foreach (var node in fleet.Nodes)
        {
            await Wait.UntilAsync(() => !node.Breaker("svc").Snapshot.IsLocal, Bound, $"{node.Id} to load svc from Redis");
        }

        var before = await CommandStatsAsync(server);

        // Act: the healthy path on both instances.
        fleet[0].Breaker("svc").Succeed(1000);
        fleet[1].Breaker("svc").Succeed(1000);

        // Assert: not one command reached Redis.
        Assert.Equal(before, await CommandStatsAsync(server));

        // The counter does see breaker work: a failure is one script run, and the successes after it one reset in all.
        fleet[0].Breaker("svc").Fail();
        await WaitForFleetCountAsync(fleet, 1, "one failure on node-0");
        var afterFailure = await CommandStatsAsync(server);
        Assert.Equal(ScriptRuns(before) + 1, ScriptRuns(afterFailure));
        fleet[1].Breaker("svc").Succeed(100);
        await WaitForFleetCountAsync(fleet, 0, "the successes on node-1");
        var afterReset = await CommandStatsAsync(server);
        Assert.Equal(ScriptRuns(afterFailure) + 1, ScriptRuns(afterReset));
        fleet[0].Breaker("svc").Succeed(1000);
        fleet[1].Breaker("svc").Succeed(1000);
        Assert.Equal(afterReset, await CommandStatsAsync(server));
    }

    [Fact]
    public async Task RedisDown_LocalFallback_EachInstanceOpensAtItsOwnThreshold()
    {
        // Arrange: threshold 3, Redis gone and both instances on local breakers.
        await using var server = await RedisServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using var fleet = await StartFleetAsync(server.ConnectionString, 2, Svc(failures: 3));
        server.Kill();
        foreach (var node in fleet.Nodes)
        {
            await Wait.UntilAsync(() => !node.Sync.IsConnected, Bound, $"{node.Id} to notice that Redis is gone");
        }

        // Act: 2 + 2 failures (4 in total) stay below each instance's own threshold; a third on node-0 reaches it.
        fleet[0].Breaker("svc").Fail(2);
        fleet[1].Breaker("svc").Fail(2);
        Assert.All(fleet.Nodes, node => Assert.Equal(CircuitState.Closed, node.Breaker("svc").State));
        fleet[0].Breaker("svc").Fail();

        // Assert: counted per instance, as before fleet-wide counting.
        Assert.Equal(CircuitState.Open, fleet[0].Breaker("svc").State);
        Assert.Equal("local", fleet[0].Breaker("svc").GetStats().Source);
        Assert.Equal(CircuitState.Closed, fleet[1].Breaker("svc").State);
        Assert.All(fleet.Nodes, node => Assert.Null(FleetCount(node)));
    }

    /// <summary>Calls per command (<c>INFO commandstats</c>), without the client's connection housekeeping.</summary>
    private static async Task<Dictionary<string, long>> CommandStatsAsync(RedisServer server)
    {
        var stats = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in (await server.CliAsync("INFO", "commandstats")).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // cmdstat_evalsha:calls=12,usec=...
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                continue;
            }

            var command = line["cmdstat_".Length..line.IndexOf(':', StringComparison.Ordinal)];
            if (Housekeeping.Contains(command.Split('|')[0]))
            {
                continue;
            }

            var calls = line[(line.IndexOf("calls=", StringComparison.Ordinal) + "calls=".Length)..];
            stats[command] = long.Parse(calls[..calls.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
        }

        return stats;
    }

    /// <summary>Breaker scripts run (every breaker operation is one script).</summary>
    private static long ScriptRuns(Dictionary<string, long> stats) =>
        stats.GetValueOrDefault("eval") + stats.GetValueOrDefault("evalsha");

    private async Task<long> RedisNowMsAsync()
    {
        var time = (await redis.CliAsync("TIME")).Split('\n', StringSplitOptions.TrimEntries);
        return (long.Parse(time[0], CultureInfo.InvariantCulture) * 1000) + (long.Parse(time[1], CultureInfo.InvariantCulture) / 1000);
    }
}
