using System.Diagnostics;
using AiServer.Jobs.Store;
using AiServer.Jobs.Webhooks;
using AiServer.Providers;
using AiServer.Providers.FileDownload;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiServer.Jobs.Execution;

/// <summary>
/// Runs one queue message to its end: the job succeeds, fails (dead-lettered unless the request itself was at fault),
/// is canceled, or — when the worker stops — is handed back to the queue. While the provider's breaker is OPEN the job
/// waits (<c>waiting_for_provider</c>) without spending an attempt; it does not fail because a provider is down a while.
/// </summary>
internal sealed partial class JobProcessor(
    JobStore store,
    JobQueue queue,
    IEnumerable<IJobExecutor> executors,
    ICircuitBreakerRegistry breakers,
    JobOutputStore outputs,
    FileDownloadClient downloads,
    JobTelemetry telemetry,
    ProviderPush pushes,
    JobNotifier notifier,
    IOptionsMonitor<JobsOptions> options,
    TimeProvider time,
    ILogger<JobProcessor> logger)
{
    private static readonly RetryPresetOptions Preset = RetryPresetOptions.For(RetryPreset.ExternalApi);
    private readonly Dictionary<string, IJobExecutor> _executors = executors.ToDictionary(e => e.Kind, StringComparer.Ordinal);

    public async Task ProcessAsync(QueueMessage message, long deliveries, CancellationToken stopping)
    {
        ActivityContext.TryParse(message.TraceParent, message.TraceState, isRemote: true, out var parent);
        using var activity = JobTelemetry.Source.StartActivity("job " + message.Kind, ActivityKind.Consumer, parent);
        activity?.SetTag("job.id", message.JobId);
        activity?.SetTag("job.kind", message.Kind);
        activity?.SetTag("messaging.system", "redis");
        activity?.SetTag("messaging.message.id", message.MessageId);

        var job = await store.GetAsync(message.JobId).ConfigureAwait(false);
        if (job is null || job.IsTerminal)
        {
            // Expired, or finished by someone else (canceled, or completed before a crash lost the acknowledgement).
            await CompleteMessageAsync(message).ConfigureAwait(false);
            return;
        }

        var settings = options.CurrentValue;
        if (deliveries > settings.MaxDeliveries)
        {
            await FailAsync(message, job, new JobError { Code = "internal", Message = $"The job was delivered {deliveries} times without finishing (its workers keep dying)." }, deadLetter: true).ConfigureAwait(false);
            return;
        }

        if (!_executors.TryGetValue(job.Kind, out var executor))
        {
            await FailAsync(message, job, new JobError { Code = "internal", Message = $"No executor runs '{job.Kind}' jobs." }, deadLetter: true).ConfigureAwait(false);
            return;
        }

        while (true)
        {
            try
            {
                job = await WaitForProviderAsync(job, stopping).ConfigureAwait(false);
                var now = time.GetUtcNow();
                job = await store.UpdateAsync(job.Id, j => j with
                {
                    Status = JobStatus.Running,
                    StartedAt = j.StartedAt ?? now,
                    Attempts = j.Attempts + 1,
                    Waiting = null,
                }).ConfigureAwait(false) ?? throw new JobCanceledException("The job record is gone.");
                if (job.Status == JobStatus.Canceled)
                {
                    throw new JobCanceledException();
                }

                activity?.SetTag("job.provider", job.Provider);
                activity?.SetTag("job.attempt", job.Attempts);
                var execution = new JobExecution(job, store, outputs, downloads, settings, time, pushes, notifier);
                var output = await executor.RunAsync(execution, stopping).ConfigureAwait(false);
                var finished = time.GetUtcNow();
                var done = await store.UpdateAsync(
                    job.Id,
                    j => j with { Status = JobStatus.Succeeded, Output = output, CompletedAt = finished, Error = null, SubmittingAt = null },
                    (transaction, _) => queue.Complete(transaction, message)).ConfigureAwait(false);
                if (done?.Status == JobStatus.Succeeded)
                {
                    telemetry.Completed(done);
                    LogSucceeded(logger, job.Id, job.Kind, job.Provider);
                }
                else
                {
                    // Canceled while the output was stored: the record stays canceled; the message is done either way.
                    await CompleteMessageAsync(message).ConfigureAwait(false);
                }

                return;
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or StackExchange.Redis.RedisTimeoutException)
            {
                // The job store is unreachable: nothing can be recorded, so nothing is decided. The message stays
                // pending and the job resumes (from its recorded provider id) when it is reclaimed.
                throw;
            }
            catch (JobCanceledException)
            {
                await CancelAtProviderAsync(executor, job).ConfigureAwait(false);
                await CompleteMessageAsync(message).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                await HandBackAsync(message, job).ConfigureAwait(false);
                return;
            }
            catch (ProviderUnavailableException ex) when (ex.BreakerRejected)
            {
                // Never sent: no attempt spent. Wait for the breaker (or the shared cool-down) and go again.
                job = await store.GetAsync(job.Id).ConfigureAwait(false) ?? job;
                await DelayAsync(ex.RetryAfter is { } after && after > TimeSpan.Zero ? after : TimeSpan.FromMilliseconds(500), stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SsrfRefusedException || (ex is ProviderException { StatusCode: >= 400 and < 500 and not 408 and not 429 } && ex is not ProviderJobFailedException))
            {
                // The request was at fault (the provider refused the input, or an input URL is not allowed): no retry, no dead letter.
                await FailAsync(message, job, ErrorOf(ex, "invalid_input"), deadLetter: false).ConfigureAwait(false);
                return;
            }
            catch (ProviderJobFailedException ex)
            {
                // The provider ran the job and it failed: retrying would run (and bill) it again. Dead-lettered for an operator.
                await FailAsync(message, job, ErrorOf(ex, "provider_error"), deadLetter: true).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is ProviderException or TimeoutException or HttpRequestException or IOException or OperationCanceledException)
            {
                job = await store.GetAsync(job.Id).ConfigureAwait(false) ?? job;
                if (job.IsTerminal)
                {
                    await CompleteMessageAsync(message).ConfigureAwait(false);
                    return;
                }

                if (job.Attempts >= settings.MaxAttempts)
                {
                    // Never accepted by this provider (no id recorded): another provider of the kind may take it.
                    if (NextProvider(job, afterProviderError: true) is { } next)
                    {
                        job = await MoveAsync(job, next, "provider_error", ErrorOf(ex, "provider_unavailable").Message).ConfigureAwait(false);
                        continue;
                    }

                    await FailAsync(message, job, ErrorOf(ex, "provider_unavailable"), deadLetter: true).ConfigureAwait(false);
                    return;
                }

                var delay = RetryPresets.ComputeDelay(Preset, job.Attempts, Random.Shared.NextDouble());
                LogRetrying(logger, job.Id, job.Attempts, settings.MaxAttempts, delay.TotalMilliseconds, ex.GetType().Name);
                await DelayAsync(delay, stopping).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // One job's unexpected failure must not take the worker down; it is recorded and dead-lettered.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogUnexpected(logger, ex, job.Id, job.Kind);
                await FailAsync(message, job, new JobError { Code = "internal", Message = "The worker failed unexpectedly (" + ex.GetType().Name + ")." }, deadLetter: true).ConfigureAwait(false);
                return;
            }
        }
    }

    private static JobError ErrorOf(Exception ex, string code) => ex is ProviderException provider
        ? new JobError { Code = code, Message = provider.ProviderMessage, Provider = provider.Provider, ProviderStatus = provider.StatusCode, ProviderCode = provider.ErrorCode }
        : new JobError { Code = code, Message = ex.Message };

    /// <summary>
    /// While the job's provider breaker is OPEN: move the job to the next provider of its kind whose breaker is not
    /// (when it may move), else record <c>waiting_for_provider</c> once and wait until the breaker lets calls through.
    /// </summary>
    private async Task<JobRecord> WaitForProviderAsync(JobRecord job, CancellationToken stopping)
    {
        var breaker = breakers.Get(job.Provider);
        var announced = false;
        while (breaker.State == CircuitState.Open)
        {
            if (NextProvider(job, afterProviderError: false) is { } next)
            {
                var stats = breaker.GetStats();
                job = await MoveAsync(job, next, "breaker_open", stats.OpenReason ?? stats.LastFailureReason).ConfigureAwait(false);
                breaker = breakers.Get(job.Provider);
                announced = false;
                continue;
            }

            if (!announced)
            {
                var stats = breaker.GetStats();
                job = await store.UpdateAsync(job.Id, j => j with
                {
                    Status = JobStatus.WaitingForProvider,
                    Waiting = new JobWaiting { Provider = j.Provider, Reason = stats.OpenReason ?? stats.LastFailureReason, NextProbeAt = stats.NextAttemptTime },
                }).ConfigureAwait(false) ?? throw new JobCanceledException("The job record is gone.");
                if (job.IsTerminal)
                {
                    throw new JobCanceledException();
                }

                LogWaiting(logger, job.Id, job.Provider);
                announced = true;
            }

            await DelayAsync(TimeSpan.FromMilliseconds(250), stopping).ConfigureAwait(false);
        }

        return job;
    }

    /// <summary>
    /// The provider to move <paramref name="job"/> to, or null: never for a pinned job or one a provider accepted (no
    /// second submission), only within the kind's <see cref="JobsOptions.FallbacksOf"/> order, never to a provider whose
    /// breaker is OPEN, and after a provider error never back to a provider that already failed it.
    /// </summary>
    private string? NextProvider(JobRecord job, bool afterProviderError)
    {
        if (job.ProviderPinned || job.ProviderJobId is not null || job.SubmittingAt is not null)
        {
            return null;
        }

        var order = options.CurrentValue.FallbacksOf(job.Kind);
        if (order.Count < 2 || !order.Contains(job.Provider, StringComparer.Ordinal))
        {
            return null;
        }

        var failed = (job.Fallbacks ?? []).Where(f => f.Reason == "provider_error").Select(f => f.From).ToHashSet(StringComparer.Ordinal);
        if (afterProviderError)
        {
            failed.Add(job.Provider);
        }

        var start = order.ToList().IndexOf(job.Provider);
        for (var i = 1; i < order.Count; i++)
        {
            var candidate = order[(start + i) % order.Count];
            if (!failed.Contains(candidate) && breakers.Get(candidate).State != CircuitState.Open)
            {
                return candidate;
            }
        }

        return null;
    }

    private async Task<JobRecord> MoveAsync(JobRecord job, string to, string reason, string? detail)
    {
        var from = job.Provider;
        var now = time.GetUtcNow();
        var moved = await store.UpdateAsync(job.Id, j => j.Provider != from || j.ProviderJobId is not null ? null : j with
        {
            Provider = to,
            Attempts = reason == "provider_error" ? 0 : j.Attempts,
            Waiting = null,
            Fallbacks = [.. j.Fallbacks ?? [], new JobFallback { From = from, To = to, Reason = reason, Detail = detail, At = now }],
        }).ConfigureAwait(false) ?? throw new JobCanceledException("The job record is gone.");
        if (moved.IsTerminal)
        {
            throw new JobCanceledException();
        }

        if (moved.Provider == to)
        {
            telemetry.FellBack(job.Kind, from, to, reason);
            LogFellBack(logger, job.Id, job.Kind, from, to, reason);
        }

        return moved;
    }

    private async Task FailAsync(QueueMessage message, JobRecord job, JobError error, bool deadLetter)
    {
        var now = time.GetUtcNow();
        var failed = await store.UpdateAsync(
            job.Id,
            j => j with { Status = JobStatus.Failed, Error = error, CompletedAt = now, Waiting = null },
            (transaction, _) =>
            {
                if (deadLetter)
                {
                    queue.DeadLetter(transaction, message, error.Code + ": " + error.Message);
                }
                else
                {
                    queue.Complete(transaction, message);
                }
            }).ConfigureAwait(false);
        if (failed?.Status == JobStatus.Failed)
        {
            telemetry.Completed(failed);
            LogFailed(logger, job.Id, job.Kind, error.Code, deadLetter);
        }
        else
        {
            await CompleteMessageAsync(message).ConfigureAwait(false);
        }
    }

    private async Task HandBackAsync(QueueMessage message, JobRecord job)
    {
        try
        {
            await store.UpdateAsync(job.Id, j => j.Status is JobStatus.Running or JobStatus.WaitingForProvider ? j with { Status = JobStatus.Queued, Waiting = null } : null).ConfigureAwait(false);
            await queue.HandBackAsync(message).ConfigureAwait(false);
            LogHandedBack(logger, job.Id, job.Kind);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or StackExchange.Redis.RedisTimeoutException)
        {
            // Redis is unreachable while stopping: the message stays pending and is reclaimed after the visibility timeout.
            LogHandBackFailed(logger, ex, job.Id);
        }
    }

    private Task CompleteMessageAsync(QueueMessage message) => queue.CompleteAloneAsync(message);

    private async Task CancelAtProviderAsync(IJobExecutor executor, JobRecord job)
    {
        try
        {
            var current = await store.GetAsync(job.Id).ConfigureAwait(false) ?? job;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await executor.CancelAtProviderAsync(current, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ProviderException or OperationCanceledException or HttpRequestException)
        {
            LogCancelAtProviderFailed(logger, job.Id, ex.GetType().Name);
        }
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken stopping) =>
        await Task.Delay(delay, time, stopping).ConfigureAwait(false);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Job {JobId} ({Kind}) succeeded on {Provider}.")]
    private static partial void LogSucceeded(ILogger logger, string jobId, string kind, string provider);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Job {JobId} ({Kind}) failed: {Code}; dead-lettered: {DeadLettered}.")]
    private static partial void LogFailed(ILogger logger, string jobId, string kind, string code, bool deadLettered);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Job {JobId}: attempt {Attempt} of {MaxAttempts} failed ({Error}); next in {DelayMs} ms.")]
    private static partial void LogRetrying(ILogger logger, string jobId, int attempt, int maxAttempts, double delayMs, string error);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Job {JobId} waits: the {Provider} breaker is OPEN.")]
    private static partial void LogWaiting(ILogger logger, string jobId, string provider);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Job {JobId} ({Kind}) handed back to the queue (worker stopping).")]
    private static partial void LogHandedBack(ILogger logger, string jobId, string kind);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Job {JobId} could not be handed back (Redis unreachable); it will be reclaimed after the visibility timeout.")]
    private static partial void LogHandBackFailed(ILogger logger, Exception exception, string jobId);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Error, Message = "Job {JobId} ({Kind}) failed unexpectedly.")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string jobId, string kind);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Information, Message = "Job {JobId} ({Kind}) moves from {From} to {To}: {Reason}.")]
    private static partial void LogFellBack(ILogger logger, string jobId, string kind, string from, string to, string reason);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Warning, Message = "Job {JobId}: canceling at the provider failed ({Error}); the provider's job runs out unobserved.")]
    private static partial void LogCancelAtProviderFailed(ILogger logger, string jobId, string error);
}
