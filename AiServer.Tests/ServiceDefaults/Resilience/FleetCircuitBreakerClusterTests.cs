using AiServer.ServiceDefaults.Resilience;
using AiServer.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using static AiServer.Tests.ServiceDefaults.Resilience.FleetCircuitBreakerRedisTests;

namespace AiServer.Tests.ServiceDefaults.Resilience;

/// <summary>
/// The fleet on a real Redis Cluster (3 masters + 3 replicas on loopback): every breaker's keys share one hash tag, so
/// each script runs on the master of that tag's slot, and the breakers of one fleet spread over every master.
/// </summary>
public sealed class FleetCircuitBreakerClusterTests(RedisCluster cluster) : IClassFixture<RedisCluster>
{
    private static readonly string[] Names = ["svc-0", "svc-1", "svc-2", "svc-3", "svc-4", "svc-5"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> Breakers(IEnumerable<string> names, string resync)
    {
        var settings = new Dictionary<string, string?> { ["CircuitBreakerSync:ResyncInterval"] = resync };
        foreach (var name in names)
        {
            foreach (var (key, value) in Breaker(name))
            {
                settings[key] = value;
            }
        }

        return settings;
    }

    [Fact]
    public async Task Trip_BreakersOnEveryMaster_PropagateThroughTheChannel()
    {
        // A resync far beyond the wait bound: what arrives in time came through pub/sub.
        await using var fleet = await StartFleetAsync(cluster.ConnectionString, 3, Breakers(Names, resync: "00:05:00"));
        var masters = new HashSet<int>();
        foreach (var name in Names)
        {
            masters.Add((await cluster.MasterOfAsync($"{fleet.Prefix}{{cb:{name}}}")).Port);
        }

        Assert.Equal(3, masters.Count); // the six breakers' hash tags land on all three masters

        foreach (var name in Names)
        {
            fleet[0].Breaker(name).Fail(3);
        }

        foreach (var node in fleet.Nodes.Skip(1))
        {
            foreach (var name in Names)
            {
                await WaitForStateAsync(node, name, CircuitState.Open, "node-0 tripped it");
                Assert.Equal("node-0", node.Breaker(name).GetStats().OpenedBy);
                Assert.Equal("fleet", node.Breaker(name).GetStats().Source);
            }
        }
    }

    [Fact]
    public Task HalfOpen_ConcurrentLoad_ExactlyOneProbeRunsFleetWide() => ExactlyOneProbeFleetWideAsync(cluster.ConnectionString);

    [Fact]
    public async Task ForceOpen_OneInstance_HoldsFleetWideUntilReset()
    {
        await using var fleet = await StartFleetAsync(cluster.ConnectionString, 3, Breakers(Names, resync: "00:00:00.200"));

        await fleet[1].Breaker("svc-2").ForceOpenAsync("incident on the cluster", Ct);

        foreach (var node in fleet.Nodes)
        {
            await Wait.UntilAsync(() => node.Breaker("svc-2").Snapshot is { IsLocal: false, Forced: ForcedState.Open }, Bound, $"{node.Id} to see the forced OPEN");
        }

        await fleet[2].Breaker("svc-2").ResetAsync(Ct);
        foreach (var node in fleet.Nodes)
        {
            await Wait.UntilAsync(() => node.Breaker("svc-2").Snapshot.IsPlainClosed, Bound, $"{node.Id} to see the reset");
        }
    }

    [Fact]
    public async Task MasterKilled_ReplicaPromoted_StateSurvivesAndBreakersKeepWorking()
    {
        await using var own = await RedisCluster.StartAsync(Ct); // this test breaks its cluster
        var settings = Breakers(Names, resync: "00:00:00.200");
        await using var fleet = await StartFleetAsync(own.ConnectionString, 2, settings);
        fleet[0].Breaker("svc-0").Fail(3);
        await WaitForStateAsync(fleet[1], "svc-0", CircuitState.Open, "node-0 tripped");
        var master = await own.MasterOfAsync($"{fleet.Prefix}{{cb:svc-0}}");

        var promoted = await own.KillMasterAndWaitForFailoverAsync(master);

        // The state moved with the slot: a new instance loads it from the promoted replica.
        Assert.Equal(promoted.Port, (await own.MasterOfAsync($"{fleet.Prefix}{{cb:svc-0}}")).Port);
        await using var late = await FleetNode.StartAsync(own.ConnectionString, fleet.Prefix, "node-late", settings);
        await Wait.UntilAsync(async () => await late.HealthAsync() == HealthStatus.Healthy, Bound, "the new instance to load the fleet state after the failover");
        Assert.Equal(CircuitState.Open, late.Breaker("svc-0").State);
        Assert.Equal("node-0", late.Breaker("svc-0").GetStats().OpenedBy);

        // Transitions keep working on the promoted master, for every instance.
        await late.Breaker("svc-0").ResetAsync(Ct);
        foreach (var node in fleet.Nodes.Append(late))
        {
            await Wait.UntilAsync(() => node.Sync.IsConnected && node.Breaker("svc-0").Snapshot is { IsLocal: false, IsPlainClosed: true }, Bound, $"{node.Id} to see the reset made after the failover");
        }

        fleet[1].Breaker("svc-0").Fail(3);
        foreach (var node in fleet.Nodes.Append(late))
        {
            await Wait.UntilAsync(() => node.Breaker("svc-0").Snapshot is { IsLocal: false, State: CircuitState.Open }, Bound, $"{node.Id} to see node-1's trip after the failover");
        }
    }

    [Fact]
    public async Task MasterOfTheChannelKilled_SubscriptionsMoveAndTripsStillArriveThroughTheChannel()
    {
        await using var own = await RedisCluster.StartAsync(Ct); // this test breaks its cluster
        // A resync far beyond the wait bound: what arrives in time came through pub/sub.
        var settings = Breakers(Names, resync: "00:05:00");
        await using var fleet = await StartFleetAsync(own.ConnectionString, 2, settings);
        var master = await own.MasterOfAsync(fleet.Prefix + "cb:events"); // the node StackExchange.Redis subscribed on

        await own.KillMasterAndWaitForFailoverAsync(master);

        foreach (var name in Names)
        {
            fleet[0].Breaker(name).Fail(3);
        }

        foreach (var name in Names)
        {
            await Wait.UntilAsync(() => fleet[1].Breaker(name).Snapshot is { IsLocal: false, State: CircuitState.Open }, Bound, $"node-1 to receive the trip of {name} through the channel after the failover");
        }
    }
}
