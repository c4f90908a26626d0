using Polly;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// The fleet breaker as a Polly strategy for pipelines of any result type: exceptions chosen by the predicate are
/// failures, results never are. A rejection is returned as an outcome (nothing is thrown here).
/// </summary>
internal sealed class FleetCircuitBreakerStrategy(FleetCircuitBreaker breaker, Func<Exception, bool> isFailure) : ResilienceStrategy
{
    protected override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
    {
        var permit = breaker.TryEnter(out var rejection);
        if (permit == Permit.Rejected)
        {
            return Outcome.FromExceptionAsValueTask<TResult>(rejection!);
        }

        ValueTask<Outcome<TResult>> pending;
        try
        {
            pending = callback(context, state);
        }
        catch (Exception ex)
        {
            pending = Outcome.FromExceptionAsValueTask<TResult>(ex);
        }

        if (pending.IsCompletedSuccessfully)
        {
            var outcome = pending.Result;
            Complete(permit, outcome.Exception, context);
            return new(outcome);
        }

        return AwaitAsync(pending, permit, context);
    }

    private async ValueTask<Outcome<TResult>> AwaitAsync<TResult>(ValueTask<Outcome<TResult>> pending, Permit permit, ResilienceContext context)
    {
        Outcome<TResult> outcome;
        try
        {
            outcome = await pending.ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (Exception ex)
        {
            outcome = Outcome.FromException<TResult>(ex);
        }

        Complete(permit, outcome.Exception, context);
        return outcome;
    }

    private void Complete(Permit permit, Exception? exception, ResilienceContext context)
    {
        if (exception is null)
        {
            breaker.OnCompleted(permit, null);
        }
        else if (exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
        {
            breaker.ReleaseUnjudged(permit);
        }
        else
        {
            breaker.OnCompleted(permit, isFailure(exception) ? exception.GetType().Name : null);
        }
    }
}
