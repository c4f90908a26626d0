using AiServer.ServiceDefaults.Resilience;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;

namespace AiServer.Benchmarks;

/// <summary>
/// Polly's own circuit breaker against the fleet breaker: the CLOSED hot path (goal: at most 1.2x Polly, 0 bytes) and
/// rejection when OPEN (goal: under 1 us, nothing thrown: both return the rejection as an outcome).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class CircuitBreakerBenchmarks
{
    private static readonly Func<ResilienceContext, int, ValueTask<Outcome<int>>> Callback = static (_, state) => Outcome.FromResultAsValueTask(state);

    private ResiliencePipeline _pollyClosed = null!;
    private ResiliencePipeline _fleetClosed = null!;
    private ResiliencePipeline _pollyOpen = null!;
    private ResiliencePipeline _fleetOpen = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pollyClosed = PollyPipeline();
        _fleetClosed = FleetPipeline(out _);
        _pollyOpen = PollyPipeline();
        _fleetOpen = FleetPipeline(out var breaker);

        // Open both by failures, with a recovery time far beyond the run.
        var context = ResilienceContextPool.Shared.Get();
        for (var i = 0; i < 200; i++)
        {
            _pollyOpen.ExecuteOutcomeAsync(static (_, _) => Outcome.FromExceptionAsValueTask<int>(new TimeoutException()), context, 0).AsTask().GetAwaiter().GetResult();
            _fleetOpen.ExecuteOutcomeAsync(static (_, _) => Outcome.FromExceptionAsValueTask<int>(new TimeoutException()), context, 0).AsTask().GetAwaiter().GetResult();
        }

        ResilienceContextPool.Shared.Return(context);
        if (breaker.State != AiServer.ServiceDefaults.Resilience.CircuitState.Open)
        {
            throw new InvalidOperationException("The fleet breaker did not open.");
        }
    }

    private static ResiliencePipeline PollyPipeline() => new ResiliencePipelineBuilder()
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = 0.5,
            MinimumThroughput = 5,
            SamplingDuration = TimeSpan.FromSeconds(60),
            BreakDuration = TimeSpan.FromHours(1),
        })
        .Build();

    private static ResiliencePipeline FleetPipeline(out FleetCircuitBreaker breaker)
    {
        breaker = new FleetCircuitBreaker(
            "bench",
            new CircuitBreakerOptions { FailureThreshold = 5, RecoveryTimeout = TimeSpan.FromHours(1), MonitoringPeriod = TimeSpan.FromSeconds(60) },
            "bench-instance",
            TimeProvider.System,
            ResilienceTelemetry.Shared,
            NullLogger.Instance);
        return new ResiliencePipelineBuilder().AddFleetCircuitBreaker(breaker).Build();
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
}
