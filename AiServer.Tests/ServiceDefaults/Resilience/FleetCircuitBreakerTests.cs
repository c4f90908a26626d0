using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace AiServer.Tests.ServiceDefaults.Resilience;

/// <summary>The state machine on one instance (no fleet link), driven by a fake clock.</summary>
public sealed class FleetCircuitBreakerTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void TryEnter_Closed_PermitsWithoutRejection()
    {
        var breaker = BreakerTestHelpers.Create(_time);

        var permit = breaker.TryEnter(out var rejection);

        Assert.Equal(Permit.Normal, permit);
        Assert.Null(rejection);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void OnCompleted_FailuresReachThreshold_Opens()
    {
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: 3);

        breaker.Fail(2);
        Assert.Equal(CircuitState.Closed, breaker.State);
        breaker.Fail();

        Assert.Equal(CircuitState.Open, breaker.State);
        var stats = breaker.GetStats();
        Assert.Equal("test-instance", stats.OpenedBy);
        Assert.Equal(3, stats.Failures);
        Assert.Equal("HTTP 503", stats.LastFailureReason);
        Assert.Equal(_time.GetUtcNow().AddSeconds(10), stats.NextAttemptTime);
    }

    [Fact]
    public void OnCompleted_SuccessInClosed_ResetsTheCount()
    {
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: 3);

        breaker.Fail(2);
        breaker.Succeed();
        breaker.Fail(2);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(2, breaker.GetStats().ConsecutiveFailures);
    }

    [Fact]
    public void OnCompleted_FailuresFartherApartThanMonitoringPeriod_DoNotAddUp()
    {
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: 3, monitoringSeconds: 30);

        breaker.Fail(2);
        _time.Advance(TimeSpan.FromSeconds(31));
        breaker.Fail(2);

        Assert.Equal(CircuitState.Closed, breaker.State);
        _time.Advance(TimeSpan.FromSeconds(29));
        breaker.Fail();
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void TryEnter_Open_RejectsWithTimeUntilNextProbe()
    {
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: 1, recoverySeconds: 10);
        breaker.Fail();
        _time.Advance(TimeSpan.FromSeconds(4));

        var permit = breaker.TryEnter(out var rejection);

        Assert.Equal(Permit.Rejected, permit);
        Assert.NotNull(rejection);
        Assert.Equal(RejectionReason.Open, rejection.Reason);
        Assert.Equal(TimeSpan.FromSeconds(6), rejection.RetryAfter);
        Assert.Equal(breaker.Name, rejection.BreakerName);
        Assert.Equal(1, breaker.GetStats().Rejections);
    }

    [Fact]
    public void TryEnter_AfterRecoveryTimeout_HalfOpenAdmitsOnlyMaxProbes()
    {
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: 1, recoverySeconds: 10, maxProbes: 2);
        breaker.Fail();
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.Equal(Permit.LocalProbe, breaker.TryEnter(out _));
        Assert.Equal(Permit.LocalProbe, breaker.TryEnter(out _));
        Assert.Equal(Permit.Rejected, breaker.TryEnter(out var rejection));
        Assert.Equal(RejectionReason.HalfOpenProbeBusy, rejection!.Reason);
    }

    [Fact]
    public void OnCompleted_SuccessThresholdInHalfOpen_Closes()
    {
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: 1, successThreshold: 2);
        breaker.Fail();
        _time.Advance(TimeSpan.FromSeconds(10));

        breaker.Succeed();
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        breaker.Succeed();

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(Permit.Normal, breaker.TryEnter(out _));
    }

    [Fact]
    public void OnCompleted_ProbeFailure_ReopensForAnotherRecoveryTimeout()
    {
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: 1, recoverySeconds: 10, successThreshold: 2);
        breaker.Fail();
        _time.Advance(TimeSpan.FromSeconds(10));
        breaker.Succeed();

        breaker.Fail();

        Assert.Equal(CircuitState.Open, breaker.State);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(Permit.Rejected, breaker.TryEnter(out _));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
    }

    [Fact]
    public async Task ForceOpenAsync_Closed_RejectsUntilReset()
    {
        var breaker = BreakerTestHelpers.Create(_time);

        await breaker.ForceOpenAsync("maintenance", TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(Permit.Rejected, breaker.TryEnter(out var rejection));
        Assert.Equal(RejectionReason.ForcedOpen, rejection!.Reason);
        Assert.False(rejection.HasRetryAfter);
        Assert.Equal(ForcedState.Open, breaker.GetStats().Forced);
        Assert.Equal("maintenance", breaker.GetStats().OpenReason);

        await breaker.ResetAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Permit.Normal, breaker.TryEnter(out _));
        Assert.Equal(ForcedState.None, breaker.GetStats().Forced);
    }

    [Fact]
    public async Task ForceCloseAsync_Failures_DoNotOpenUntilReset()
    {
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: 2);
        breaker.Fail();
        _time.Advance(TimeSpan.FromSeconds(10));

        await breaker.ForceCloseAsync(cancellationToken: TestContext.Current.CancellationToken);
        breaker.Fail(5);

        Assert.Equal(CircuitState.Closed, breaker.State);
        await breaker.ResetAsync(TestContext.Current.CancellationToken);
        breaker.Fail(2);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void ApplyFleet_VersionRules_NewerWinsStaleIgnored()
    {
        var breaker = BreakerTestHelpers.Create(_time);

        Assert.True(breaker.ApplyFleet(new FleetStateRecord { Name = breaker.Name, Exists = true, State = CircuitState.Open, Version = 10, OpenRemainingMs = 5000, OpenedBy = "other" }));
        Assert.False(breaker.ApplyFleet(new FleetStateRecord { Name = breaker.Name, Exists = true, State = CircuitState.Closed, Version = 9 }));
        Assert.False(breaker.ApplyFleet(new FleetStateRecord { Name = breaker.Name, Exists = true, State = CircuitState.Closed, Version = 10 }));

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal("other", breaker.GetStats().OpenedBy);
        Assert.Equal("fleet", breaker.GetStats().Source);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);

        Assert.True(breaker.ApplyFleet(new FleetStateRecord { Name = breaker.Name, Exists = true, State = CircuitState.Closed, Version = 11 }));
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void ApplyFleet_ResyncOfTheSameClosedRecord_KeepsCountingFailuresToTheThreshold()
    {
        // Failures spread over several resync rounds still add up (within the monitoring period).
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: 3);
        var closed = new FleetStateRecord { Name = breaker.Name, Exists = true, State = CircuitState.Closed, Version = 7 };
        breaker.ApplyFleet(closed, authoritative: true);

        for (var i = 0; i < 2; i++)
        {
            breaker.Fail();
            _time.Advance(TimeSpan.FromSeconds(1));
            breaker.ApplyFleet(closed, authoritative: true);
        }

        breaker.Fail();

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void ApplyFleet_NewClosedVersion_StartsTheCountAfresh()
    {
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: 3);
        breaker.ApplyFleet(new FleetStateRecord { Name = breaker.Name, Exists = true, State = CircuitState.Closed, Version = 7 }, authoritative: true);
        breaker.Fail(2);

        breaker.ApplyFleet(new FleetStateRecord { Name = breaker.Name, Exists = true, State = CircuitState.Closed, Version = 8 }, authoritative: true);
        breaker.Fail(2);

        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void ApplyFleet_EqualVersion_ReplacesUnconfirmedLocalState()
    {
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: 1);
        breaker.ApplyFleet(new FleetStateRecord { Name = breaker.Name, Exists = true, State = CircuitState.Closed, Version = 5 });
        breaker.Fail();
        Assert.Equal("local", breaker.GetStats().Source);

        Assert.True(breaker.ApplyFleet(new FleetStateRecord { Name = breaker.Name, Exists = true, State = CircuitState.Closed, Version = 5 }));

        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void ApplyCooldown_Active_RejectsUntilItEnds()
    {
        var breaker = BreakerTestHelpers.Create(_time);

        breaker.ReportThrottled(TimeSpan.FromSeconds(3));

        Assert.Equal(Permit.Rejected, breaker.TryEnter(out var rejection));
        Assert.Equal(RejectionReason.Cooldown, rejection!.Reason);
        Assert.Equal(TimeSpan.FromSeconds(3), rejection.RetryAfter);
        Assert.NotNull(breaker.GetStats().CooldownUntil);
        Assert.Equal(0, breaker.GetStats().Failures);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(Permit.Normal, breaker.TryEnter(out _));
    }

    [Fact]
    public async Task ExecuteAsync_Open_ThrowsRejectedWithoutRunningTheCall()
    {
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: 1);
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await breaker.ExecuteAsync<int>(_ => throw new InvalidOperationException("boom"), TestContext.Current.CancellationToken));
        var ran = false;

        var error = await Assert.ThrowsAsync<CircuitBreakerRejectedException>(async () =>
            await breaker.ExecuteAsync(_ => { ran = true; return ValueTask.FromResult(1); }, TestContext.Current.CancellationToken));

        Assert.False(ran);
        Assert.Equal(RejectionReason.Open, error.Reason);
        Assert.IsAssignableFrom<Polly.CircuitBreaker.BrokenCircuitException>(error);
    }

    [Fact]
    public async Task ExecuteAsync_CancelledByCaller_IsNotAFailure()
    {
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: 1);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await breaker.ExecuteAsync<int>(ct => { ct.ThrowIfCancellationRequested(); return default; }, cts.Token));

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(0, breaker.GetStats().Failures);
    }
}
