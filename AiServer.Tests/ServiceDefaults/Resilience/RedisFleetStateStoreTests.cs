using AiServer.ServiceDefaults.Resilience;
using AiServer.Tests.Infrastructure;
using StackExchange.Redis;

namespace AiServer.Tests.ServiceDefaults.Resilience;

/// <summary>The Lua scripts of the fleet state against a real redis-server: probe leases across HALF_OPEN periods, fleet-wide failure counting.</summary>
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

    private static CircuitBreakerOptions Counting(int threshold = 5, int reporters = 1, int monitoringMs = 60_000) => new()
    {
        FailureThreshold = threshold,
        RecoveryTimeout = TimeSpan.FromSeconds(30),
        MonitoringPeriod = TimeSpan.FromMilliseconds(monitoringMs),
        SuccessThreshold = 1,
        HalfOpenMaxProbes = 1,
        MinimumReporters = reporters,
    };

    private Task<FleetStateRecord> FailAsync(string instance, CircuitBreakerOptions options, bool reachedThreshold = false) =>
        Store.ReportFailureAsync("svc", instance, "HTTP 503", reachedThreshold, options, Ct);

    [Fact]
    public async Task ReportFailure_TwoInstancesAlternate_OpensAtTheThresholdInTotal()
    {
        var options = Counting(threshold: 5);
        string[] reporters = ["node-a", "node-b", "node-a", "node-b"];
        for (var i = 0; i < reporters.Length; i++)
        {
            var counted = await FailAsync(reporters[i], options);
            Assert.Equal(CircuitState.Closed, counted.State);
            Assert.Equal(i + 1, counted.Failures);
        }

        var opened = await FailAsync("node-a", options);

        Assert.Equal(CircuitState.Open, opened.State);
        Assert.Equal("node-a", opened.OpenedBy);
        Assert.Equal(0, opened.Failures);
        Assert.InRange(opened.OpenRemainingMs, 1, 30_000);
        var late = await FailAsync("node-b", options); // a failure of a call admitted before the fleet opened
        Assert.Equal(opened.Version, late.Version);
    }

    [Fact]
    public async Task ResetFailures_AfterFailures_CountStartsOverAndASecondResetIsANoOp()
    {
        var options = Counting(threshold: 5);
        await FailAsync("node-a", options);
        var counted = await FailAsync("node-b", options);

        var reset = await Store.ResetFailuresAsync("svc", Ct);
        var again = await Store.ResetFailuresAsync("svc", Ct);

        Assert.Equal(0, reset.Failures);
        Assert.True(reset.Version > counted.Version, "a reset that changed the count must carry a new version");
        Assert.Equal(reset.Version, again.Version);
        Assert.Equal(1, (await FailAsync("node-a", options)).Failures);
    }

    [Fact]
    public async Task ReportFailure_PreviousFailureOlderThanMonitoringPeriod_CountRestartsAtOne()
    {
        var options = Counting(threshold: 3, monitoringMs: 300);
        await FailAsync("node-a", options);
        Assert.Equal(2, (await FailAsync("node-b", options)).Failures);
        var last = long.Parse(await redis.CliAsync("HGET", $"{_prefix}{{cb:svc}}", "lastFailure"), System.Globalization.CultureInfo.InvariantCulture);
        await Wait.UntilAsync(async () => await RedisNowMsAsync() - last > 300, Bound, "Redis's clock to pass the monitoring period after the last failure");

        var restarted = await FailAsync("node-a", options);

        Assert.Equal(CircuitState.Closed, restarted.State);
        Assert.Equal(1, restarted.Failures);
    }

    [Fact]
    public async Task ReportFailure_QuorumOfTwo_OneInstanceAloneDoesNotOpen()
    {
        var options = Counting(threshold: 2, reporters: 2);

        await FailAsync("node-a", options);
        await FailAsync("node-a", options);
        var alone = await FailAsync("node-a", options, reachedThreshold: true);
        var second = await FailAsync("node-b", options);

        Assert.Equal(CircuitState.Closed, alone.State);
        Assert.Equal(3, alone.Failures);
        Assert.Equal(CircuitState.Open, second.State);
        Assert.Equal("node-b", second.OpenedBy);
    }

    [Fact]
    public async Task ReportFailure_ReporterReachedTheThresholdAlone_OpensAtOnce()
    {
        var opened = await FailAsync("node-a", Counting(threshold: 5), reachedThreshold: true);

        Assert.Equal(CircuitState.Open, opened.State);
        Assert.Equal("node-a", opened.OpenedBy);
        Assert.Equal("HTTP 503", opened.Reason);
    }

    private async Task<long> RedisNowMsAsync()
    {
        var time = (await redis.CliAsync("TIME")).Split('\n', StringSplitOptions.TrimEntries);
        return (long.Parse(time[0], System.Globalization.CultureInfo.InvariantCulture) * 1000) + (long.Parse(time[1], System.Globalization.CultureInfo.InvariantCulture) / 1000);
    }
}
