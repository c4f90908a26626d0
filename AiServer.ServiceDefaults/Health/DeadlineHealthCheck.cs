using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.ServiceDefaults.Health;

/// <summary>
/// Runs a check with a deadline. A check that has not answered by then (a PING to a frozen Redis waits for the
/// client's own 5 s timeout, whatever the token says) is reported at the registration's failure status with
/// "timed out", as a result rather than an exception; the abandoned call finishes in the background and its outcome
/// is observed and dropped.
/// </summary>
internal sealed class DeadlineHealthCheck(IHealthCheck inner, TimeSpan deadline, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(deadline);
        var check = inner.CheckHealthAsync(context, cts.Token);
        try
        {
            return await check.WaitAsync(deadline, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (ex is TimeoutException || (ex is OperationCanceledException && cts.IsCancellationRequested)))
        {
            _ = check.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                string.Create(CultureInfo.InvariantCulture, $"The check did not answer within {deadline.TotalMilliseconds:0} ms (timed out)."),
                data: new Dictionary<string, object> { ["timedOut"] = true });
        }
    }
}
