using AiServer.ServiceDefaults.Resilience;
using Polly;
using Microsoft.Extensions.Time.Testing;

namespace AiServer.Tests.ServiceDefaults.Resilience;

public sealed class FleetCircuitBreakerStrategyTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task ExecuteOutcomeAsync_Open_ReturnsRejectionAsOutcomeWithoutRunning()
    {
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: 1);
        var pipeline = new ResiliencePipelineBuilder().AddFleetCircuitBreaker(breaker).Build();
        var context = ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken);
        await pipeline.ExecuteOutcomeAsync<int, int>((_, _) => Outcome.FromExceptionAsValueTask<int>(new TimeoutException()), context, 0);
        var calls = 0;

        var outcome = await pipeline.ExecuteOutcomeAsync<int, int>((_, _) => { calls++; return Outcome.FromResultAsValueTask(1); }, context, 0);

        Assert.Equal(0, calls);
        var rejected = Assert.IsType<CircuitBreakerRejectedException>(outcome.Exception);
        Assert.Equal(TimeSpan.FromSeconds(10), rejected.RetryAfter);
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public async Task ExecuteAsync_IsFailurePredicate_OnlyMatchingExceptionsCount()
    {
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: 1);
        var pipeline = new ResiliencePipelineBuilder().AddFleetCircuitBreaker(breaker, ex => ex is TimeoutException).Build();

        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await pipeline.ExecuteAsync<int>(_ => throw new ArgumentException("bad input"), TestContext.Current.CancellationToken));

        Assert.Equal(CircuitState.Closed, breaker.State);
        await Assert.ThrowsAsync<TimeoutException>(async () =>
            await pipeline.ExecuteAsync<int>(_ => throw new TimeoutException(), TestContext.Current.CancellationToken));
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public async Task ExecuteAsync_TypedClassifier_ResultsCanCountAsFailures()
    {
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: 2);
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddFleetCircuitBreaker(breaker, outcome => outcome.Result >= 500 ? "status " + outcome.Result : null)
            .Build();

        await pipeline.ExecuteAsync(_ => ValueTask.FromResult(503), TestContext.Current.CancellationToken);
        await pipeline.ExecuteAsync(_ => ValueTask.FromResult(200), TestContext.Current.CancellationToken);
        await pipeline.ExecuteAsync(_ => ValueTask.FromResult(502), TestContext.Current.CancellationToken);
        Assert.Equal(CircuitState.Closed, breaker.State);
        await pipeline.ExecuteAsync(_ => ValueTask.FromResult(500), TestContext.Current.CancellationToken);

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal("status 500", breaker.GetStats().LastFailureReason);
    }

    [Fact]
    public async Task ExecuteAsync_AsyncCallback_CompletesTheProbe()
    {
        var breaker = BreakerTestHelpers.Create(_time, failureThreshold: 1, successThreshold: 1);
        var pipeline = new ResiliencePipelineBuilder().AddFleetCircuitBreaker(breaker).Build();
        breaker.Fail();
        _time.Advance(TimeSpan.FromSeconds(10));

        var result = await pipeline.ExecuteAsync(async _ => { await Task.Yield(); return 42; }, TestContext.Current.CancellationToken);

        Assert.Equal(42, result);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }
}
