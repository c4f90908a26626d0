using AiServer.ServiceDefaults.Resilience;
using AiServer.Tests.Infrastructure;
using StackExchange.Redis;

namespace AiServer.Tests.ServiceDefaults.Resilience;

/// <summary>The Lua scripts of the fleet state against a real redis-server: probe leases across HALF_OPEN periods.</summary>
public sealed class RedisFleetStateStoreTests(RedisServer redis) : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static int _prefixes;

    private readonly string _prefix = $"s{Interlocked.Increment(ref _prefixes)}-{Environment.ProcessId}:";
    private ConnectionMultiplexer? _connection;

    private RedisFleetStateStore Store => new(new Lazy<IConnectionMultiplexer>(_connection!), _prefix);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private static CircuitBreakerOptions Options(int maxProbes = 1) => new()
    {
        FailureThreshold = 1,
        RecoveryTimeout = TimeSpan.FromMilliseconds(50),
        MonitoringPeriod = TimeSpan.FromMinutes(1),
        SuccessThreshold = 1,
        HalfOpenMaxProbes = maxProbes,
        MinimumReporters = 1,
    };

    private string ProbeKey(string name, int slot = 0) => $"{_prefix}{{cb:{name}}}:probe" + (slot == 0 ? string.Empty : $":{slot}");

    private async Task<bool> ExistsAsync(string key) => await redis.CliAsync("EXISTS", key) == "1";

    /// <summary>Trips the breaker and waits (bounded) until <paramref name="instance"/> wins a probe lease; returns its slot.</summary>
    private async Task<int> TripAndAcquireAsync(string name, string instance, CircuitBreakerOptions options)
    {
        var opened = await Store.ReportTripAsync(name, "node-a", "HTTP 503", options, Ct);
        Assert.Equal(CircuitState.Open, opened.State);
        return await AcquireAsync(name, instance, options);
    }

    private async Task<int> AcquireAsync(string name, string instance, CircuitBreakerOptions options)
    {
        var slot = -1;
        await Wait.UntilAsync(async () => (slot = (await Store.TryAcquireProbeAsync(name, instance, options, Lease, Ct)).Slot) >= 0, Bound, $"{instance} to win a probe lease of {name}");
        return slot;
    }

    [Fact]
    public async Task ReportProbe_ReporterNoLongerHoldsTheLease_NotCounted()
    {
        var options = Options();
        Assert.Equal(0, await TripAndAcquireAsync("svc", "node-a", options));
        await Store.ReleaseProbeAsync("svc", 0, "node-a", Ct);
        Assert.Equal(0, await AcquireAsync("svc", "node-b", options)); // node-b now runs the fleet's probe

        // A success from node-a's earlier lease must not close the circuit under node-b's running probe.
        var stale = await Store.ReportProbeAsync("svc", "node-a", 0, success: true, null, options, Ct);

        Assert.Equal(CircuitState.HalfOpen, stale.State);
        Assert.Equal(0, stale.HalfOpenSuccesses);
        Assert.True(await ExistsAsync(ProbeKey("svc")), "node-b's lease must survive node-a's stale report");
        var owned = await Store.ReportProbeAsync("svc", "node-b", 0, success: true, null, options, Ct);
        Assert.Equal(CircuitState.Closed, owned.State);
    }

    [Fact]
    public async Task ReportProbe_CircuitLeavesHalfOpen_DropsOtherSlots()
    {
        var options = Options(maxProbes: 2);
        Assert.Equal(0, await TripAndAcquireAsync("svc", "node-a", options));
        Assert.Equal(1, await AcquireAsync("svc", "node-b", options));

        var closed = await Store.ReportProbeAsync("svc", "node-a", 0, success: true, null, options, Ct);

        Assert.Equal(CircuitState.Closed, closed.State);
        Assert.False(await ExistsAsync(ProbeKey("svc", 1)), "node-b's lease belongs to the HALF_OPEN period that ended");
    }

    [Theory]
    [InlineData("Reset")]
    [InlineData("ForceOpen")]
    [InlineData("ForceClose")]
    public async Task ApplyManual_DuringHalfOpen_DropsProbeLeases(string verb)
    {
        var action = Enum.Parse<ManualAction>(verb);
        var options = Options();
        Assert.Equal(0, await TripAndAcquireAsync("svc", "node-a", options));

        await Store.ApplyManualAsync("svc", action, "operator", "test", options, Ct);

        Assert.False(await ExistsAsync(ProbeKey("svc")), "the lease of the ended HALF_OPEN period must go");
        if (action == ManualAction.Reset)
        {
            // The next HALF_OPEN hands out its probe at once instead of waiting for the old lease's PX.
            Assert.Equal(0, await TripAndAcquireAsync("svc", "node-b", options));
        }
    }

    [Fact]
    public async Task ReportTrip_LeftoverLease_DroppedWhenTheCircuitOpens()
    {
        var options = Options();
        await redis.CliAsync("SET", ProbeKey("svc"), "node-gone", "PX", "30000");

        var opened = await Store.ReportTripAsync("svc", "node-a", "HTTP 503", options, Ct);

        Assert.Equal(CircuitState.Open, opened.State);
        Assert.False(await ExistsAsync(ProbeKey("svc")), "a lease left from an earlier HALF_OPEN period must not hold up the next one");
    }

    [Fact]
    public async Task Scripts_ServerScriptCacheFlushed_NoScriptAnsweredByLoadingAgain()
    {
        var options = Options();
        Assert.Equal(CircuitState.Closed, (await Store.ReadAsync("svc", Ct)).State); // the scripts are now cached by SHA1

        Assert.Equal("OK", await redis.CliAsync("SCRIPT", "FLUSH"));
        var opened = await Store.ReportTripAsync("svc", "node-a", "HTTP 503", options, Ct);

        Assert.Equal(CircuitState.Open, opened.State);
        Assert.Equal("node-a", opened.OpenedBy);
    }

    [Fact]
    public async Task Keys_EveryKeyOfABreaker_SharesOneClusterSlot()
    {
        var options = Options(maxProbes: 2);
        await TripAndAcquireAsync("svc", "node-a", options);
        await AcquireAsync("svc", "node-b", options);
        await Store.SetCooldownAsync("svc", TimeSpan.FromSeconds(30), "node-a", Ct);

        var keys = (await redis.CliAsync("--scan", "--pattern", _prefix + "*")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(_prefix + "{cb:svc}", keys);
        Assert.Contains(_prefix + "{cb:svc}:probe:1", keys);
        Assert.Contains(_prefix + "{cb:svc}:cooldown", keys);
        var slots = new HashSet<string>();
        foreach (var key in keys)
        {
            slots.Add(_connection!.HashSlot(key).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Single(slots);
    }

    [Fact]
    public async Task Record_ScriptReplyAndChannelMessage_OneWireFormat()
    {
        var received = new TaskCompletionSource<FleetStateRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await Store.SubscribeAsync(r => received.TrySetResult(r), Ct);

        var replied = await Store.ReportTripAsync("svc", "node-a", "HTTP 503", Options(), Ct);
        var published = await received.Task.WaitAsync(Bound, Ct);

        // One script run, one clock reading: the reply and the message are the same record.
        Assert.Equal(replied, published);
    }
}
