using System.Net;
using AiServer.ServiceDefaults.Resilience;
using Polly;
using Microsoft.Extensions.Time.Testing;

namespace AiServer.Tests.ServiceDefaults.Resilience;

/// <summary>HALF_OPEN probes under a (fake) connected fleet link: leases, verdicts and forced states.</summary>
public sealed class FleetProbeTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeFleetLink _link = new();

    /// <summary>A breaker following the fleet, whose fleet state is a due OPEN (HALF_OPEN), holding probe lease slot 0.</summary>
    private FleetCircuitBreaker CreateHoldingLease(int successThreshold = 1)
    {
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: 1, successThreshold: successThreshold);
        breaker.Attach(_link);
        Assert.True(breaker.ApplyFleet(new FleetStateRecord { Name = breaker.Name, Exists = true, State = CircuitState.Open, Version = 10, OpenRemainingMs = 0, OpenedBy = "node-x" }));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.Equal(Permit.Rejected, breaker.TryEnter(out _)); // asks for the lease
        Assert.Contains("lease", _link.Calls);
        breaker.Lease.OnAcquired(0);
        return breaker;
    }

    [Theory]
    [InlineData(ForcedState.Closed, CircuitState.Closed)]
    [InlineData(ForcedState.Open, CircuitState.Open)]
    public void OnCompleted_FleetProbeFailsAfterOperatorForcedState_ForcedStateStands(ForcedState forced, CircuitState expected)
    {
        var breaker = CreateHoldingLease();
        var permit = breaker.TryEnter(out _);
        Assert.Equal(Permit.FleetProbe, permit);

        // While the probe runs, an operator forces the circuit and this instance applies it.
        Assert.True(breaker.ApplyFleet(new FleetStateRecord { Name = breaker.Name, Exists = true, State = expected, Forced = forced, Version = 11, OpenedBy = "operator" }));
        _link.IsConnected = false; // and then the link goes down: nothing from Redis would correct a wrong local state

        breaker.OnCompleted(permit, "HTTP 503");

        Assert.Equal(forced, breaker.GetStats().Forced);
        Assert.Equal(expected, breaker.State);
        Assert.Equal("operator", breaker.GetStats().OpenedBy);
    }

    [Fact]
    public void OnCompleted_FleetProbeFailsInHalfOpen_OpensLocallyAndReports()
    {
        var breaker = CreateHoldingLease();
        var permit = breaker.TryEnter(out _);

        breaker.OnCompleted(permit, "HTTP 503");

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Contains("probe:0:fail", _link.Calls);
    }

    [Fact]
    public void ReleaseUnjudged_FleetProbe_HandsTheLeaseBackInsteadOfKeepingIt()
    {
        var breaker = CreateHoldingLease();
        var permit = breaker.TryEnter(out _);
        Assert.Equal(Permit.FleetProbe, permit);

        breaker.ReleaseUnjudged(permit); // the caller cancelled

        Assert.Contains("release:0", _link.Calls);
        Assert.DoesNotContain(_link.Calls, c => c.StartsWith("probe:", StringComparison.Ordinal));
        // The next call must not start a probe on the old lease (its PX runs from the first acquisition): it asks anew.
        Assert.Equal(Permit.Rejected, breaker.TryEnter(out var rejection));
        Assert.Equal(RejectionReason.HalfOpenProbeBusy, rejection!.Reason);
        Assert.Equal(2, _link.Calls.Count(c => c == "lease"));
    }

    [Fact]
    public async Task FleetProbeThrottled_NoVerdict_LeaseHandedBack()
    {
        var breaker = CreateHoldingLease();
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddFleetCircuitBreaker(breaker, HttpFailureClassifier.FailureReason, HttpFailureClassifier.IsThrottled)
            .Build();

        using var response = await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(new HttpResponseMessage(HttpStatusCode.TooManyRequests)), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Contains("release:0", _link.Calls);
        Assert.DoesNotContain(_link.Calls, c => c.StartsWith("probe:", StringComparison.Ordinal));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.Equal(0, breaker.GetStats().Successes);
    }
}
