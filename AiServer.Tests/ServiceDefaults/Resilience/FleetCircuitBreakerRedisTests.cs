using AiServer.ServiceDefaults.Resilience;
using AiServer.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Polly;

namespace AiServer.Tests.ServiceDefaults.Resilience;

/// <summary>
/// The fleet against a real redis-server: three or more instances, each with its own host and Redis connections.
/// Every wait is bounded (<see cref="Bound"/>) and says what it waited for. The helpers are shared with
/// <see cref="FleetCircuitBreakerClusterTests"/>, which runs the same scenarios on a Redis Cluster.
/// </summary>
public sealed class FleetCircuitBreakerRedisTests(RedisServer redis)
{
    internal static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static int _prefixes;

    private static string NewPrefix() => $"t{Interlocked.Increment(ref _prefixes)}-{Environment.ProcessId}:";

    internal static Dictionary<string, string?> Breaker(string name, int failures = 3, string recovery = "00:01:00", int successes = 1, int reporters = 1) => new()
    {
        [$"CircuitBreakers:{name}:FailureThreshold"] = failures.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"CircuitBreakers:{name}:RecoveryTimeout"] = recovery,
        [$"CircuitBreakers:{name}:SuccessThreshold"] = successes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"CircuitBreakers:{name}:MinimumReporters"] = reporters.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    internal static async Task<Fleet> StartFleetAsync(string connectionString, int count, Dictionary<string, string?> settings, string? prefix = null)
    {
        prefix ??= NewPrefix();
        var nodes = new List<FleetNode>();
        for (var i = 0; i < count; i++)
        {
            nodes.Add(await FleetNode.StartAsync(connectionString, prefix, $"node-{i}", settings));
        }

        var fleet = new Fleet(nodes, prefix, settings);
        foreach (var node in nodes)
        {
            await Wait.UntilAsync(() => node.Sync.InitialLoadCompleted && node.Sync.IsConnected, Bound, $"{node.Id} to load the fleet state");
        }

        return fleet;
    }

    /// <summary>A fleet record as the scripts publish it (<c>common.lua</c>'s <c>record()</c>).</summary>
    private static string Message(string name, string state, long version, long openRemainingMs, string openedBy) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["name"] = name, ["exists"] = true, ["state"] = state, ["version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["openRemainingMs"] = openRemainingMs.ToString(System.Globalization.CultureInfo.InvariantCulture), ["forced"] = "NONE",
            ["openedBy"] = openedBy, ["reason"] = string.Empty, ["halfOpenSuccesses"] = "0", ["cooldownRemainingMs"] = "0",
        });

    internal static Task WaitForStateAsync(FleetNode node, string breaker, CircuitState state, string why) =>
        Wait.UntilAsync(() => node.Breaker(breaker).State == state, Bound, $"{node.Id} to see {breaker} {state} ({why})");

    [Fact]
    public async Task Trip_OneInstance_EveryInstanceRejectsWithinBound()
    {
        await using var fleet = await StartFleetAsync(redis.ConnectionString, 3, Breaker("svc"));

        fleet[0].Breaker("svc").Fail(3);

        foreach (var node in fleet.Nodes.Skip(1))
        {
            await WaitForStateAsync(node, "svc", CircuitState.Open, "node-0 tripped");
            Assert.Equal(Permit.Rejected, node.Breaker("svc").TryEnter(out var rejection));
            Assert.Equal(RejectionReason.Open, rejection!.Reason);
            Assert.Equal("node-0", node.Breaker("svc").GetStats().OpenedBy);
            Assert.Equal("fleet", node.Breaker("svc").GetStats().Source);
        }
    }

    [Fact]
    public Task HalfOpen_ConcurrentLoad_ExactlyOneProbeRunsFleetWide() => ExactlyOneProbeFleetWideAsync(redis.ConnectionString);

    /// <summary>Three instances, four callers each, hammer a HALF_OPEN breaker: exactly one probe runs fleet-wide.</summary>
    internal static async Task ExactlyOneProbeFleetWideAsync(string connectionString)
    {
        await using var fleet = await StartFleetAsync(connectionString, 3, Breaker("svc", failures: 1, recovery: "00:00:00.300", successes: 1));
        fleet[0].Breaker("svc").Fail();
        foreach (var node in fleet.Nodes)
        {
            await WaitForStateAsync(node, "svc", CircuitState.HalfOpen, "recovery timeout passed");
        }

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = 0;
        var rejected = 0;
        using var stop = new CancellationTokenSource();
        var loads = fleet.Nodes.SelectMany(node => Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var pipeline = new ResiliencePipelineBuilder().AddFleetCircuitBreaker(node.Breaker("svc")).Build();
            while (!stop.IsCancellationRequested)
            {
                var context = ResilienceContextPool.Shared.Get();
                var outcome = await pipeline.ExecuteOutcomeAsync(
                    async (_, g) =>
                    {
                        Interlocked.Increment(ref entered);
                        await g.Task;
                        return Outcome.FromResult(1);
                    },
                    context,
                    gate);
                ResilienceContextPool.Shared.Return(context);
                if (outcome.Exception is CircuitBreakerRejectedException)
                {
                    Interlocked.Increment(ref rejected);
                    await Task.Delay(1);
                }
            }
        }))).ToArray();

        await Wait.UntilAsync(() => Volatile.Read(ref entered) >= 1, Bound, "one probe to start");
        var rejectedAtProbe = Volatile.Read(ref rejected);
        await Wait.UntilAsync(() => Volatile.Read(ref rejected) >= rejectedAtProbe + 500, Bound, "500 more calls to be rejected while the probe runs");
        var probes = Volatile.Read(ref entered);
        await stop.CancelAsync();
        gate.SetResult();
        await Wait.ForAsync(Task.WhenAll(loads).ContinueWith(_ => true, TaskScheduler.Default), Bound, "the load loops to stop");

        Assert.Equal(1, probes);
        foreach (var node in fleet.Nodes)
        {
            await WaitForStateAsync(node, "svc", CircuitState.Closed, "the single probe succeeded");
        }
    }

    [Fact]
    public async Task HalfOpen_SingleCallerOnOneInstance_GetsTheProbeAndClosesTheFleet()
    {
        await using var fleet = await StartFleetAsync(redis.ConnectionString, 3, Breaker("svc", failures: 1, recovery: "00:00:00.300", successes: 1));
        fleet[0].Breaker("svc").Fail();
        await WaitForStateAsync(fleet[2], "svc", CircuitState.HalfOpen, "recovery timeout passed");
        var breaker = fleet[2].Breaker("svc");

        // The first call asks for the lease in the background and is turned away; a later call gets it.
        await Wait.UntilAsync(() =>
        {
            var permit = breaker.TryEnter(out _);
            if (permit == Permit.Rejected)
            {
                return false;
            }

            Assert.Equal(Permit.FleetProbe, permit);
            breaker.OnCompleted(permit, null);
            return true;
        }, Bound, "a lone caller on node-2 to get the fleet's probe");

        foreach (var node in fleet.Nodes)
        {
            await WaitForStateAsync(node, "svc", CircuitState.Closed, "the probe succeeded");
        }
    }

    [Fact]
    public async Task NewInstance_FleetOpen_LoadsOpenBeforeReady()
    {
        await using var fleet = await StartFleetAsync(redis.ConnectionString, 2, Breaker("svc"));
        fleet[0].Breaker("svc").Fail(3);
        await WaitForStateAsync(fleet[1], "svc", CircuitState.Open, "node-0 tripped");

        await using var late = await FleetNode.StartAsync(redis.ConnectionString, fleet.Prefix, "node-late", fleet.Settings);
        await Wait.UntilAsync(async () => await late.HealthAsync() != HealthStatus.Unhealthy, Bound, "the new instance to become ready");

        Assert.Equal(CircuitState.Open, late.Breaker("svc").State);
        Assert.Equal(Permit.Rejected, late.Breaker("svc").TryEnter(out _));
    }

    [Fact]
    public async Task Resync_PublishedMessageLost_HealedByPeriodicRead()
    {
        await using var fleet = await StartFleetAsync(redis.ConnectionString, 3, Breaker("svc"));
        var time = (await redis.CliAsync("TIME")).Split('\n', StringSplitOptions.TrimEntries);
        var nowMs = (long.Parse(time[0], System.Globalization.CultureInfo.InvariantCulture) * 1000) + (long.Parse(time[1], System.Globalization.CultureInfo.InvariantCulture) / 1000);

        // A transition written without its PUBLISH: exactly what an instance sees when the message is lost.
        await redis.CliAsync("HSET", fleet.Prefix + "{cb:svc}", "state", "OPEN", "version", ((nowMs + 1) * 1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "openUntil", (nowMs + 60_000).ToString(System.Globalization.CultureInfo.InvariantCulture), "forced", "NONE", "openedBy", "ghost", "reason", "lost message", "halfOpenSuccesses", "0");

        foreach (var node in fleet.Nodes)
        {
            await WaitForStateAsync(node, "svc", CircuitState.Open, "resync after a lost message");
            Assert.Equal("ghost", node.Breaker("svc").GetStats().OpenedBy);
        }
    }

    [Fact]
    public async Task ApplyFleet_StaleVersionPublished_Ignored()
    {
        var settings = Breaker("svc");
        foreach (var (key, value) in Breaker("marker"))
        {
            settings[key] = value;
        }

        await using var fleet = await StartFleetAsync(redis.ConnectionString, 3, settings);
        fleet[0].Breaker("svc").Fail(3);
        foreach (var node in fleet.Nodes)
        {
            await Wait.UntilAsync(() => node.Breaker("svc").Snapshot is { IsLocal: false, State: CircuitState.Open }, Bound, $"{node.Id} to apply the fleet OPEN");
        }

        var version = fleet[1].Breaker("svc").Snapshot.Version;
        var channel = fleet.Prefix + "cb:events";
        await redis.CliAsync("PUBLISH", channel, Message("svc", "CLOSED", version - 1, 0, "late"));
        // Messages are applied in order: once the marker arrives, the stale message has been seen too.
        await redis.CliAsync("PUBLISH", channel, Message("marker", "OPEN", version + 1, 60_000, "marker"));

        foreach (var node in fleet.Nodes)
        {
            await Wait.UntilAsync(() => node.Breaker("marker").GetStats().OpenedBy == "marker", Bound, $"{node.Id} to receive the marker message");
            Assert.Equal(CircuitState.Open, node.Breaker("svc").State);
            Assert.Equal("node-0", node.Breaker("svc").GetStats().OpenedBy);
        }
    }

    [Fact]
    public async Task Quorum_MinimumReportersTwo_OneInstanceCannotOpenTheFleet()
    {
        await using var fleet = await StartFleetAsync(redis.ConnectionString, 3, Breaker("svc", failures: 2, reporters: 2));

        fleet[0].Breaker("svc").Fail(2);
        await Wait.UntilAsync(() => fleet[0].Breaker("svc").Snapshot is { IsLocal: false, State: CircuitState.Closed }, Bound, "Redis to answer node-0's report with CLOSED (no quorum)");
        Assert.Equal(CircuitState.Closed, fleet[1].Breaker("svc").State);
        Assert.Equal(CircuitState.Closed, fleet[2].Breaker("svc").State);

        fleet[1].Breaker("svc").Fail(2);

        await WaitForStateAsync(fleet[2], "svc", CircuitState.Open, "two instances reported");
        await WaitForStateAsync(fleet[0], "svc", CircuitState.Open, "two instances reported");
    }

    [Fact]
    public async Task ForceOpen_OneInstance_HoldsFleetWideUntilReset()
    {
        await using var fleet = await StartFleetAsync(redis.ConnectionString, 3, Breaker("svc", recovery: "00:00:00.100"));

        await fleet[0].Breaker("svc").ForceOpenAsync("incident 42", TestContext.Current.CancellationToken);

        foreach (var node in fleet.Nodes)
        {
            await Wait.UntilAsync(() => node.Breaker("svc").GetStats().Forced == ForcedState.Open, Bound, $"{node.Id} to see the forced OPEN");
            Assert.Equal(Permit.Rejected, node.Breaker("svc").TryEnter(out var rejection));
            Assert.Equal(RejectionReason.ForcedOpen, rejection!.Reason);
        }

        Assert.False(fleet[0].Breaker("svc").HasPendingManual);
        await fleet[2].Breaker("svc").ResetAsync(TestContext.Current.CancellationToken);
        foreach (var node in fleet.Nodes)
        {
            await Wait.UntilAsync(() => node.Breaker("svc").Snapshot.IsPlainClosed, Bound, $"{node.Id} to see the reset");
        }
    }

    [Fact]
    public async Task ForceOpen_AdminRequestAborted_StillReachesTheFleetAndHolds()
    {
        await using var fleet = await StartFleetAsync(redis.ConnectionString, 3, Breaker("svc"));
        using var aborted = new CancellationTokenSource();
        await aborted.CancelAsync();

        try
        {
            await fleet[0].Breaker("svc").ForceOpenAsync("incident 43", aborted.Token);
        }
        catch (OperationCanceledException)
        {
            // The caller stopped waiting; the action itself must not be lost.
        }

        foreach (var node in fleet.Nodes)
        {
            await Wait.UntilAsync(() => node.Breaker("svc").Snapshot is { IsLocal: false, Forced: ForcedState.Open }, Bound, $"{node.Id} to see the force-open of the aborted request");
        }

        await Wait.UntilAsync(() => !fleet[0].Breaker("svc").HasPendingManual, Bound, "node-0's pending action to clear");
        Assert.Equal(ForcedState.Open, fleet[0].Breaker("svc").GetStats().Forced);
    }

    [Fact]
    public async Task ReportThrottled_OneInstance_CooldownSharedWithFleet()
    {
        await using var fleet = await StartFleetAsync(redis.ConnectionString, 3, Breaker("svc"));

        fleet[0].Breaker("svc").ReportThrottled(TimeSpan.FromSeconds(30));

        foreach (var node in fleet.Nodes)
        {
            await Wait.UntilAsync(() => node.Breaker("svc").GetStats().CooldownUntil is not null, Bound, $"{node.Id} to learn the cool-down");
            Assert.Equal(CircuitState.Closed, node.Breaker("svc").State);
        }

        var ttl = long.Parse(await redis.CliAsync("PTTL", fleet.Prefix + "{cb:svc}:cooldown"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ttl, 1, 30_000);
    }

    [Fact]
    public async Task RedisKilled_LocalBreakersProtectWithoutWaitingThenReconcile()
    {
        await using var server = await RedisServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using var fleet = await StartFleetAsync(server.ConnectionString, 3, Breaker("svc"));
        var pipeline = new ResiliencePipelineBuilder().AddFleetCircuitBreaker(fleet[0].Breaker("svc")).Build();
        var context = ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken);

        server.Kill();

        // Every call completes synchronously: nothing on the call path awaits Redis.
        for (var i = 0; i < 3; i++)
        {
            var failing = pipeline.ExecuteOutcomeAsync(static (_, _) => Outcome.FromExceptionAsValueTask<int>(new HttpRequestException("down")), context, 0);
            Assert.True(failing.IsCompleted, "a failing call must not wait on Redis");
        }

        var rejected = pipeline.ExecuteOutcomeAsync(static (_, _) => Outcome.FromResultAsValueTask(1), context, 0);
        Assert.True(rejected.IsCompleted, "a rejected call must not wait on Redis");
        Assert.IsType<CircuitBreakerRejectedException>((await rejected).Exception);
        await Wait.UntilAsync(() => !fleet[0].Sync.IsConnected, Bound, "node-0 to notice that Redis is gone");
        Assert.Equal(HealthStatus.Degraded, await fleet[0].HealthAsync());
        Assert.Equal(CircuitState.Closed, fleet[1].Breaker("svc").State);
        ResilienceContextPool.Shared.Return(context);

        await server.RestartAsync(TestContext.Current.CancellationToken); // empty: the outage lost everything

        foreach (var node in fleet.Nodes)
        {
            await Wait.UntilAsync(() => node.Sync.IsConnected, Bound, $"{node.Id} to reconnect");
            await WaitForStateAsync(node, "svc", CircuitState.Open, "node-0's local OPEN pushed to the fleet on reconnect");
        }

        Assert.Equal(HealthStatus.Healthy, await fleet[1].HealthAsync());
        Assert.Contains("OPEN", await server.CliAsync("HGET", fleet.Prefix + "{cb:svc}", "state"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForcedOpen_RedisRestartsEmpty_TheOriginalOpenerAndReasonSurvive()
    {
        // Arrange: an operator's instance forces svc open and goes away (a rolling update replaced it); the fleet keeps
        // the forced state, naming that instance as the opener.
        await using var server = await RedisServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using var fleet = await StartFleetAsync(server.ConnectionString, 2, Breaker("svc"));
        await using (var gone = await FleetNode.StartAsync(server.ConnectionString, fleet.Prefix, "node-gone", Breaker("svc")))
        {
            await Wait.UntilAsync(() => gone.Sync.IsConnected, Bound, "node-gone to connect");
            await gone.Breaker("svc").ForceOpenAsync("isolating a bad release", TestContext.Current.CancellationToken);
            Assert.False(gone.Breaker("svc").HasPendingManual, "the force-open should have reached Redis");
        }

        foreach (var node in fleet.Nodes)
        {
            await Wait.UntilAsync(() => node.Breaker("svc").Snapshot is { IsLocal: false, Forced: ForcedState.Open }, Bound, $"{node.Id} to see the force-open");
        }

        var opener = fleet[0].Breaker("svc").Snapshot.OpenedBy;
        Assert.False(string.IsNullOrEmpty(opener), "the forced state should name its opener");
        Assert.DoesNotContain(fleet.Nodes, n => n.Id == opener);

        // Act: Redis comes back without its data; a node that did not force it restores the forced state.
        server.Kill();
        await server.RestartAsync(TestContext.Current.CancellationToken);

        // Assert: the restored record in Redis still names the original opener and its reason, and so does every node.
        await Wait.UntilAsync(async () => (await server.CliAsync("HGET", fleet.Prefix + "{cb:svc}", "openedBy")).Contains(opener!, StringComparison.Ordinal),
            Bound, "Redis to hold the original opener again");
        Assert.Contains("isolating a bad release", await server.CliAsync("HGET", fleet.Prefix + "{cb:svc}", "reason"), StringComparison.Ordinal);
        foreach (var node in fleet.Nodes)
        {
            await Wait.UntilAsync(() => node.Sync.IsConnected && node.Breaker("svc").Snapshot is { IsLocal: false, Forced: ForcedState.Open },
                Bound, $"{node.Id} to see the forced state restored after Redis lost its data");
            Assert.Equal(opener, node.Breaker("svc").Snapshot.OpenedBy);
            Assert.Equal("isolating a bad release", node.Breaker("svc").Snapshot.Reason);
        }
    }

    [Fact]
    public async Task ForceOpen_WhileRedisDown_HoldsLocallyAndReachesFleetWhenBack()
    {
        await using var server = await RedisServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using var fleet = await StartFleetAsync(server.ConnectionString, 3, Breaker("svc"));
        server.Kill();

        await fleet[0].Breaker("svc").ForceOpenAsync("isolated during the outage", TestContext.Current.CancellationToken);

        Assert.Equal(Permit.Rejected, fleet[0].Breaker("svc").TryEnter(out _));
        Assert.True(fleet[0].Breaker("svc").HasPendingManual);
        await server.RestartAsync(TestContext.Current.CancellationToken);
        foreach (var node in fleet.Nodes)
        {
            await Wait.UntilAsync(() => node.Breaker("svc").Snapshot is { IsLocal: false, Forced: ForcedState.Open }, Bound, $"{node.Id} to see the force-open replayed after the outage");
        }

        Assert.False(fleet[0].Breaker("svc").HasPendingManual);
    }

    [Fact]
    public async Task Trip_OverTlsWithPassword_EveryInstanceRejects()
    {
        await using var server = await RedisServer.StartTlsAsync(password: "fleet-secret", cancellationToken: TestContext.Current.CancellationToken);
        var settings = Breaker("svc");
        settings["Redis:CaCertificatePath"] = server.CaCertificatePath;
        await using var fleet = await StartFleetAsync(server.ConnectionString, 3, settings);

        fleet[0].Breaker("svc").Fail(3);

        foreach (var node in fleet.Nodes.Skip(1))
        {
            await Wait.UntilAsync(() => node.Breaker("svc").Snapshot is { IsLocal: false, State: CircuitState.Open }, Bound, $"{node.Id} to see node-0's trip over TLS");
        }

        Assert.Equal("OPEN", await server.CliAsync("HGET", fleet.Prefix + "{cb:svc}", "state"));
    }

    [Fact]
    public async Task Start_RedisDown_StartsWithLocalBreakersAndJoinsTheFleetWhenRedisComes()
    {
        await using var server = await RedisServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        server.Kill();

        var prefix = NewPrefix();
        await using var node = await FleetNode.StartAsync(server.ConnectionString, prefix, "node-0", Breaker("svc"));

        Assert.Equal(HealthStatus.Unhealthy, await node.HealthAsync()); // not ready: the fleet state is not loaded
        node.Breaker("svc").Fail(3);
        Assert.Equal(CircuitState.Open, node.Breaker("svc").State); // protected locally all the same
        await server.RestartAsync(TestContext.Current.CancellationToken);
        await Wait.UntilAsync(async () => await node.HealthAsync() == HealthStatus.Healthy, Bound, "node-0 to load the fleet state once Redis is up");
        await WaitForStateAsync(node, "svc", CircuitState.Open, "the local OPEN pushed to the fleet on connect");
        Assert.Equal("OPEN", await server.CliAsync("HGET", prefix + "{cb:svc}", "state"));
    }

    internal sealed class Fleet(List<FleetNode> nodes, string prefix, Dictionary<string, string?> settings) : IAsyncDisposable
    {
        public IReadOnlyList<FleetNode> Nodes => nodes;

        public string Prefix => prefix;

        public Dictionary<string, string?> Settings => settings;

        public FleetNode this[int index] => nodes[index];

        public async ValueTask DisposeAsync()
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}
