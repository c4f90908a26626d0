using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace AiServer.Tests.ServiceDefaults.Resilience;

/// <summary>
/// What one breaker asks of the fleet for fleet-wide failure counting (a recording link, no Redis): nothing on the
/// healthy path, a report per failure, one reset at a time, and a local OPEN that holds while its report is on its way.
/// </summary>
public sealed class FleetFailureReportTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeFleetLink _link = new();

    private FleetCircuitBreaker CreateInFleet(int failureThreshold = 5, int fleetFailures = 0)
    {
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: failureThreshold);
        breaker.Attach(_link);
        Assert.True(breaker.ApplyFleet(Closed(breaker, 100, fleetFailures), authoritative: true));
        return breaker;
    }

    private static FleetStateRecord Closed(FleetCircuitBreaker breaker, long version, int failures) =>
        new() { Name = breaker.Name, Exists = true, State = CircuitState.Closed, Version = version, Failures = failures };

    [Fact]
    public void OnCompleted_SuccessesWhileFleetCountIsZero_NoStoreCall()
    {
        var breaker = CreateInFleet();

        breaker.Succeed(1000);

        Assert.Empty(_link.Calls);
        Assert.Equal(0, breaker.GetStats().FleetConsecutiveFailures);
    }

    [Fact]
    public void OnCompleted_FailureInFleetMode_ReportedOncePerFailure()
    {
        var breaker = CreateInFleet();

        breaker.Fail(2);

        Assert.Equal(["failure", "failure"], _link.Calls);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(2, breaker.GetStats().ConsecutiveFailures);
    }

    [Fact]
    public void OnCompleted_SuccessesWhileFleetCountsFailures_OneResetAtATime()
    {
        var breaker = CreateInFleet(fleetFailures: 3);
        _link.Unanswered.Add("failure-reset");

        breaker.Succeed(50);

        Assert.Equal(["failure-reset"], _link.Calls);
    }

    [Fact]
    public void OnCompleted_OwnThresholdReached_OpensHereAndHoldsAgainstClosedRecordsUntilItsReportIsAnswered()
    {
        var breaker = CreateInFleet(failureThreshold: 3);
        _link.Unanswered.Add("trip");

        breaker.Fail(3);

        Assert.Equal(["failure", "failure", "trip"], _link.Calls);
        Assert.Equal(CircuitState.Open, breaker.State);
        // The answer to an earlier failure report (a newer CLOSED version with a count) must not let calls through.
        Assert.False(breaker.ApplyFleet(Closed(breaker, 101, 2)));
        Assert.Equal(Permit.Rejected, breaker.TryEnter(out _));
    }

    [Fact]
    public void ApplyFleet_NewerRecordWithoutFailures_StartsTheLocalCountAfresh()
    {
        var breaker = CreateInFleet(failureThreshold: 3);
        breaker.Fail(2);

        breaker.ApplyFleet(Closed(breaker, 101, 2)); // a count update keeps the local count
        Assert.Equal(2, breaker.GetStats().ConsecutiveFailures);
        breaker.ApplyFleet(Closed(breaker, 102, 0)); // a success elsewhere reset the fleet's count

        Assert.Equal(0, breaker.GetStats().ConsecutiveFailures);
        Assert.Equal(0, breaker.GetStats().FleetConsecutiveFailures);
    }

    [Fact]
    public void OnCompleted_LinkNotConnected_CountsPerInstanceWithoutReports()
    {
        var breaker = CreateInFleet(failureThreshold: 3);
        _link.IsConnected = false;

        breaker.Fail(3);

        Assert.Empty(_link.Calls);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Null(breaker.GetStats().FleetConsecutiveFailures);
    }
}
