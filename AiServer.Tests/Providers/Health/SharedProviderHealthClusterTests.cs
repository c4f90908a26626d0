using AiServer.Tests.Infrastructure;
using static AiServer.Tests.Providers.Health.HealthFleet;

namespace AiServer.Tests.Providers.Health;

/// <summary>
/// The shared probes on a real Redis Cluster (3 masters + 3 replicas on loopback): a provider's result and lease share
/// the hash tag <c>{health:NAME}</c>, so each script runs on one master, and the providers spread over the masters.
/// </summary>
public sealed class SharedProviderHealthClusterTests(RedisCluster cluster, ProviderEmulatorFixture emulator)
    : IClassFixture<RedisCluster>, IClassFixture<ProviderEmulatorFixture>
{
    [Fact]
    public async Task Detailed_TwoInstancesOnACluster_OneProbePerProviderAndTheResultShared()
    {
        // Arrange
        var prefix = Prefix();
        await using var a = await StartInstanceAsync(emulator, cluster.ConnectionString, prefix, "api-a");
        await using var b = await StartInstanceAsync(emulator, cluster.ConnectionString, prefix, "api-b");
        var before = await ProbeCountsAsync(emulator);

        // Act
        var first = await DetailedAsync(a);
        var second = await DetailedAsync(b);

        // Assert: one probe per provider; b serves a's results; the keys live on more than one master.
        var after = await ProbeCountsAsync(emulator);
        var masters = new HashSet<int>();
        foreach (var provider in ProbePaths.Keys)
        {
            Assert.True(after[provider] == before[provider] + 1, $"{provider}: {after[provider] - before[provider]} probes, expected 1");
            Assert.Equal(("probed", "api-a"), (first.Checks[provider].Text("source"), first.Checks[provider].Text("probedBy")));
            Assert.Equal(("shared", "api-a"), (second.Checks[provider].Text("source"), second.Checks[provider].Text("probedBy")));
            var master = await cluster.MasterOfAsync($"{prefix}{{health:{provider}}}");
            Assert.Equal("api-a", await master.CliAsync("HGET", $"{prefix}{{health:{provider}}}", "probedBy"));
            masters.Add(master.Port);
        }

        Assert.True(masters.Count > 1, "six providers' keys should spread over more than one master");
    }
}
