using AiServer.ServiceDefaults.Resilience;
using AiServer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Microsoft.Extensions.Logging.Testing;

namespace AiServer.Tests.ServiceDefaults.Resilience;

/// <summary>The fleet sync's own decisions (when to fall back, leases, replays, subscriptions) over an in-memory store.</summary>
public sealed class FleetSyncServiceTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly FakeFleetStateStore _store = new();
    private readonly FakeLoggerProvider _logs = new();
    private readonly ServiceProvider _services;

    public FleetSyncServiceTests()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OTEL_RESOURCE_ATTRIBUTES"] = "service.instance.id=node-t",
            ["CircuitBreakerSync:Names:0"] = "svc",
            ["CircuitBreakerSync:OperationTimeout"] = "00:00:02",
            ["CircuitBreakers:svc:FailureThreshold"] = "1",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(_logs));
        FleetCircuitBreakerHostingExtensions.AddCore(services);
        services.AddOptions<FleetSyncOptions>().BindConfiguration(FleetSyncOptions.SectionName);
        services.AddSingleton<IFleetStateStore>(_store);
        services.AddSingleton<FleetSyncService>();
        _services = services.BuildServiceProvider();
        Sync = _services.GetRequiredService<FleetSyncService>();
        Breaker = _services.GetRequiredService<CircuitBreakerRegistry>().GetFleet("svc");
    }

    private FleetSyncService Sync { get; }

    private FleetCircuitBreaker Breaker { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Sync.Dispose();
        _services.Dispose();
    }

    /// <summary>Connects with the fleet's "svc" in HALF_OPEN (an OPEN whose recovery time has passed).</summary>
    private async Task ConnectHalfOpenAsync()
    {
        _store.Set(new FleetStateRecord { Name = "svc", State = CircuitState.Open, Version = 500, OpenRemainingMs = 0, OpenedBy = "node-x" });
        await Sync.SyncOnceAsync(Ct);
        Assert.True(Sync.IsConnected);
        Assert.Equal(CircuitState.HalfOpen, Breaker.State);
    }

    [Fact]
    public async Task OneOperationTimesOut_StaysInFleetModeAndKeepsAskingForLeases()
    {
        await ConnectHalfOpenAsync();
        var permit = Permit.Rejected;
        await Wait.UntilAsync(() => Task.FromResult((permit = Breaker.TryEnter(out _)) == Permit.FleetProbe), Bound, "the fleet probe lease");
        _store.LeaseSlot = -1;
        _store.Fail = op => op == "probe-result" ? new RedisTimeoutException("Redis did not answer EVALSHA in time", CommandStatus.Sent) : null;

        Breaker.OnCompleted(permit, null); // its report to Redis times out

        // Still following the fleet: calls wait for a lease instead of every instance probing on its own.
        await Wait.UntilAsync(() =>
        {
            Assert.NotEqual(Permit.LocalProbe, Breaker.TryEnter(out _));
            return Task.FromResult(_store.Count("lease") >= 2);
        }, Bound, "a new lease request after the failed report");
        Assert.True(Sync.IsConnected);
        Assert.NotNull(Sync.LastError);
    }

    [Fact]
    public async Task FailuresInARow_FallBackToLocalBreakers()
    {
        await ConnectHalfOpenAsync();
        _store.Fail = op => op == "cooldown" ? new RedisTimeoutException("Redis did not answer EVALSHA in time", CommandStatus.Sent) : null;

        for (var i = 1; i <= FleetSyncService.FailuresBeforeFallback; i++)
        {
            Breaker.ReportThrottled(TimeSpan.FromMilliseconds(1));
            var expected = i;
            await Wait.UntilAsync(() => Task.FromResult(_store.Count("cooldown") >= expected), Bound, $"cool-down report {i}");
        }

        await Wait.UntilAsync(() => Task.FromResult(!Sync.IsConnected), Bound, $"the fallback after {FleetSyncService.FailuresBeforeFallback} failures in a row");
    }

    [Fact]
    public async Task ConnectionLost_FallsBackAtOnceAndHandsBackAnUnusedLease()
    {
        await ConnectHalfOpenAsync();
        Breaker.Lease.OnAcquired(0); // granted, not yet used by a call
        _store.Fail = op => op == "cooldown" ? new RedisConnectionException(ConnectionFailureType.SocketClosed, "The connection to Redis is closed") : null;

        Breaker.ReportThrottled(TimeSpan.FromMilliseconds(1));

        await Wait.UntilAsync(() => Task.FromResult(!Sync.IsConnected), Bound, "the fallback after a lost connection");
        await Wait.UntilAsync(() => Task.FromResult(_store.Count("release:0") == 1), Bound, "the unused lease to be handed back");
        // The 429 that made the store call turns callers away for its 1 ms cool-down; the fallback can be quicker.
        await Wait.UntilAsync(() => Task.FromResult(Breaker.CooldownRemaining is null), Bound, "the 1 ms cool-down to end");
        Assert.Equal(Permit.LocalProbe, Breaker.TryEnter(out _));
    }

    [Fact]
    public async Task ManualWriteFails_HoldsLocallyAndNextRoundReplaysIt()
    {
        await Sync.SyncOnceAsync(Ct);
        var failures = 0;
        _store.Fail = op => op == "manual" && Interlocked.Increment(ref failures) == 1 ? new RedisTimeoutException("Redis did not answer EVALSHA in time", CommandStatus.Sent) : null;

        await Breaker.ForceOpenAsync("incident 7", Ct);

        Assert.True(Sync.IsConnected); // one timeout is no fallback...
        Assert.True(Breaker.HasPendingManual); // ...so the action must not depend on a reconnect to be replayed
        _store.Publish(new FleetStateRecord { Name = "svc", Exists = true, State = CircuitState.Closed, Version = 5000 });
        Assert.Equal(ForcedState.Open, Breaker.GetStats().Forced);

        await Sync.SyncOnceAsync(Ct);

        Assert.Equal(2, _store.Count("manual:ForceOpen"));
        Assert.False(Breaker.HasPendingManual);
        Assert.Equal(ForcedState.Open, _store.Get("svc").Forced);
        Assert.True(Breaker.Snapshot is { IsLocal: false, Forced: ForcedState.Open }, "the instance follows Redis's answer");
        await Sync.SyncOnceAsync(Ct);
        Assert.Equal(ForcedState.Open, Breaker.GetStats().Forced);
    }

    [Fact]
    public async Task SubscribeSlowerThanARound_OneHandlerOnly()
    {
        var confirmed = new TaskCompletionSource<IAsyncDisposable>(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.OnSubscribe = (_, _) => confirmed.Task; // Redis never confirms within a round

        for (var round = 0; round < 3; round++)
        {
            using var roundTimeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            roundTimeout.CancelAfter(TimeSpan.FromMilliseconds(50));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Sync.SyncOnceAsync(roundTimeout.Token));
        }

        Assert.Equal(1, _store.Count("subscribe"));
        confirmed.SetResult(new FakeFleetStateStore.Unsubscriber(_store, _store.Handlers.Single()));
        await Sync.SyncOnceAsync(Ct);
        Assert.True(Sync.IsConnected);
        Assert.Equal(1, _store.Count("subscribe"));
        Assert.Single(_store.Handlers);
    }

    [Fact]
    public async Task SubscribeFailedOnce_HandlerLeftInTheClientDoesNotDeliverTwice()
    {
        var attempts = 0;
        _store.OnSubscribe = (handler, _) => Interlocked.Increment(ref attempts) == 1
            ? Task.FromException<IAsyncDisposable>(new RedisTimeoutException("Redis did not answer SUBSCRIBE in time", CommandStatus.Sent)) // the handler stays registered
            : Task.FromResult<IAsyncDisposable>(new FakeFleetStateStore.Unsubscriber(_store, handler));
        await Assert.ThrowsAsync<RedisTimeoutException>(() => Sync.SyncOnceAsync(Ct));
        await Sync.SyncOnceAsync(Ct);
        Assert.Equal(2, _store.Handlers.Count);
        Breaker.ApplyFleet(new FleetStateRecord { Name = "svc", Exists = true, State = CircuitState.Closed, Version = 9000 });

        _store.Publish(new FleetStateRecord { Name = "svc", Exists = true, State = CircuitState.Open, Version = 8000 }); // stale: each delivery logs 4004

        Assert.Equal(1, _logs.Collector.GetSnapshot().Count(r => r.Id.Id == 4004));
    }
}
