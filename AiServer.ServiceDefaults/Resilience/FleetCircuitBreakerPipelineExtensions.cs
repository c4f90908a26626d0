using Polly;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>Adds a fleet circuit breaker to a Polly pipeline.</summary>
public static class FleetCircuitBreakerPipelineExtensions
{
    /// <summary>
    /// Adds <paramref name="breaker"/> to the pipeline. Exceptions accepted by <paramref name="isFailure"/> (default:
    /// every exception) count as failures; cancellation by the caller never does. Rejections come out as a
    /// <see cref="CircuitBreakerRejectedException"/> outcome.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="breaker">A breaker from <see cref="ICircuitBreakerRegistry"/>.</param>
    /// <param name="isFailure">Which exceptions count as failures.</param>
    public static ResiliencePipelineBuilder AddFleetCircuitBreaker(this ResiliencePipelineBuilder builder, ICircuitBreaker breaker, Func<Exception, bool>? isFailure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var fleet = AsFleet(breaker);
        isFailure ??= static _ => true;
        // The one generic strategy with T = object, bridged into the untyped pipeline by Polly (as Polly does with its
        // own breaker); only exceptions can be failures here.
        return builder.AddStrategy(
            _ => new FleetCircuitBreakerStrategy<object>(fleet, outcome => outcome.Exception is { } ex && isFailure(ex) ? ex.GetType().Name : null),
            new FleetCircuitBreakerStrategyOptions());
    }

    /// <summary>
    /// Adds <paramref name="breaker"/> to a typed pipeline. <paramref name="failureReason"/> returns null for outcomes
    /// that do not count (default: results never count, every exception does) and a short reason otherwise.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="breaker">A breaker from <see cref="ICircuitBreakerRegistry"/>.</param>
    /// <param name="failureReason">Classifies an outcome.</param>
    public static ResiliencePipelineBuilder<TResult> AddFleetCircuitBreaker<TResult>(this ResiliencePipelineBuilder<TResult> builder, ICircuitBreaker breaker, Func<Outcome<TResult>, string?>? failureReason = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var fleet = AsFleet(breaker);
        failureReason ??= static outcome => outcome.Exception?.GetType().Name;
        return builder.AddStrategy(_ => new FleetCircuitBreakerStrategy<TResult>(fleet, failureReason), new FleetCircuitBreakerStrategyOptions());
    }

    /// <summary>As the public overload, plus outcomes that are neither success nor failure (<paramref name="isNeutral"/>).</summary>
    internal static ResiliencePipelineBuilder<TResult> AddFleetCircuitBreaker<TResult>(this ResiliencePipelineBuilder<TResult> builder, ICircuitBreaker breaker, Func<Outcome<TResult>, string?> failureReason, Func<Outcome<TResult>, bool> isNeutral)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var fleet = AsFleet(breaker);
        return builder.AddStrategy(_ => new FleetCircuitBreakerStrategy<TResult>(fleet, failureReason, isNeutral), new FleetCircuitBreakerStrategyOptions());
    }

    private static FleetCircuitBreaker AsFleet(ICircuitBreaker breaker)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        return breaker.Fleet;
    }
}
