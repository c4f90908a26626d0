using Polly;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// The fleet breaker as a typed Polly strategy: <c>failureReason</c> returns null for a success, else a short reason
/// such as <c>HTTP 503</c>. Outcomes accepted by <c>isNeutral</c> (a 429: throttling) are neither: they leave the failure
/// count alone, are no probe success, and give a probe's slot back without a verdict.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
internal sealed class FleetCircuitBreakerStrategy<T>(FleetCircuitBreaker breaker, Func<Outcome<T>, string?> failureReason, Func<Outcome<T>, bool>? isNeutral = null) : ResilienceStrategy<T>
{
    protected override ValueTask<Outcome<T>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback, ResilienceContext context, TState state)
    {
        var permit = breaker.TryEnter(out var rejection);
        if (permit == Permit.Rejected)
        {
            return Outcome.FromExceptionAsValueTask<T>(rejection!);
        }

        ValueTask<Outcome<T>> pending;
        try
        {
            pending = callback(context, state);
        }
        catch (Exception ex)
        {
            pending = Outcome.FromExceptionAsValueTask<T>(ex);
        }

        if (pending.IsCompletedSuccessfully)
        {
            var outcome = pending.Result;
            Complete(permit, outcome, context);
            return new(outcome);
        }

        return AwaitAsync(pending, permit, context);
    }

    private async ValueTask<Outcome<T>> AwaitAsync(ValueTask<Outcome<T>> pending, Permit permit, ResilienceContext context)
    {
        Outcome<T> outcome;
        try
        {
            outcome = await pending.ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (Exception ex)
        {
            outcome = Outcome.FromException<T>(ex);
        }

        Complete(permit, outcome, context);
        return outcome;
    }

    private void Complete(Permit permit, Outcome<T> outcome, ResilienceContext context)
    {
        if ((outcome.Exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
            || (isNeutral is not null && isNeutral(outcome)))
        {
            breaker.ReleaseUnjudged(permit);
        }
        else
        {
            breaker.OnCompleted(permit, failureReason(outcome));
        }
    }
}
