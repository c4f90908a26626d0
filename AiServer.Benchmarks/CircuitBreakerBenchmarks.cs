using AiServer.ServiceDefaults.Resilience;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;

namespace AiServer.Benchmarks;

/// <summary>
/// Polly's own circuit breaker against the fleet breaker: the CLOSED hot path (goal: at most 1.2x Polly, 0 bytes) and
/// rejection when OPEN (goal: under 1 us, nothing thrown: both return the rejection as an outcome).
/// The main rows use typed pipelines (<c>ResiliencePipeline&lt;T&gt;</c>), the shape production uses
/// (provider clients run a <c>ResiliencePipeline&lt;HttpResponseMessage&gt;</c> in the Http.Resilience handler); the "untyped" rows show
/// what Polly's bridge into an untyped pipeline costs both breakers (it boxes a value-type result).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class CircuitBreakerBenchmarks
{
    private static readonly Func<ResilienceContext, int, ValueTask<Outcome<int>>> Callback = static (_, state) => Outcome.FromResultAsValueTask(state);
    private static readonly Func<ResilienceContext, int, ValueTask<Outcome<int>>> Failing = static (_, _) => Outcome.FromExceptionAsValueTask<int>(new TimeoutException());

    private ResiliencePipeline<int> _pollyClosed = null!;
    private ResiliencePipeline<int> _fleetClosed = null!;
    private ResiliencePipeline<int> _pollyOpen = null!;
    private ResiliencePipeline<int> _fleetOpen = null!;
    private ResiliencePipeline _pollyUntyped = null!;
    private ResiliencePipeline _fleetUntyped = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pollyClosed = new ResiliencePipelineBuilder<int>().AddCircuitBreaker(PollyOptions<int>()).Build();
        _fleetClosed = new ResiliencePipelineBuilder<int>().AddFleetCircuitBreaker(Breaker()).Build();
        _pollyOpen = new ResiliencePipelineBuilder<int>().AddCircuitBreaker(PollyOptions<int>()).Build();
        var opened = Breaker();
        _fleetOpen = new ResiliencePipelineBuilder<int>().AddFleetCircuitBreaker(opened).Build();
        _pollyUntyped = new ResiliencePipelineBuilder().AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = 0.5,
            MinimumThroughput = 5,
            SamplingDuration = TimeSpan.FromSeconds(60),
            BreakDuration = TimeSpan.FromHours(1),
        }).Build();
        _fleetUntyped = new ResiliencePipelineBuilder().AddFleetCircuitBreaker(Breaker()).Build();

        // Open both by failures, with a recovery time far beyond the run.
        var context = ResilienceContextPool.Shared.Get();
        for (var i = 0; i < 200; i++)
        {
            _pollyOpen.ExecuteOutcomeAsync(Failing, context, 0).AsTask().GetAwaiter().GetResult();
            _fleetOpen.ExecuteOutcomeAsync(Failing, context, 0).AsTask().GetAwaiter().GetResult();
        }

        ResilienceContextPool.Shared.Return(context);
        if (opened.State != AiServer.ServiceDefaults.Resilience.CircuitState.Open || RunAsync(_pollyOpen).AsTask().GetAwaiter().GetResult())
        {
            throw new InvalidOperationException("A breaker did not open.");
        }
    }

    private static CircuitBreakerStrategyOptions<T> PollyOptions<T>() => new()
    {
        FailureRatio = 0.5,
        MinimumThroughput = 5,
        SamplingDuration = TimeSpan.FromSeconds(60),
        BreakDuration = TimeSpan.FromHours(1),
    };

    private static FleetCircuitBreaker Breaker() => new(
        "bench",
        new CircuitBreakerOptions { FailureThreshold = 5, RecoveryTimeout = TimeSpan.FromHours(1), MonitoringPeriod = TimeSpan.FromSeconds(60) },
        "bench-instance",
        TimeProvider.System,
        ResilienceTelemetry.Shared,
        NullLogger.Instance);

    private static async ValueTask<bool> RunAsync(ResiliencePipeline<int> pipeline)
    {
        var context = ResilienceContextPool.Shared.Get();
        var outcome = await pipeline.ExecuteOutcomeAsync(Callback, context, 1).ConfigureAwait(false);
        ResilienceContextPool.Shared.Return(context);
        return outcome.Exception is null;
    }

    private static async ValueTask<bool> RunAsync(ResiliencePipeline pipeline)
    {
        var context = ResilienceContextPool.Shared.Get();
        var outcome = await pipeline.ExecuteOutcomeAsync(Callback, context, 1).ConfigureAwait(false);
        ResilienceContextPool.Shared.Return(context);
        return outcome.Exception is null;
    }

    [Benchmark(Baseline = true, Description = "Polly breaker, CLOSED")]
    public ValueTask<bool> PollyClosed() => RunAsync(_pollyClosed);

    [Benchmark(Description = "Fleet breaker, CLOSED")]
    public ValueTask<bool> FleetClosed() => RunAsync(_fleetClosed);

    [Benchmark(Description = "Polly breaker, OPEN (rejects)")]
    public ValueTask<bool> PollyOpen() => RunAsync(_pollyOpen);

    [Benchmark(Description = "Fleet breaker, OPEN (rejects)")]
    public ValueTask<bool> FleetOpen() => RunAsync(_fleetOpen);

    [Benchmark(Description = "Polly breaker, CLOSED, untyped pipeline")]
    public ValueTask<bool> PollyUntyped() => RunAsync(_pollyUntyped);

    [Benchmark(Description = "Fleet breaker, CLOSED, untyped pipeline")]
    public ValueTask<bool> FleetUntyped() => RunAsync(_fleetUntyped);
}
