using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// Retry presets on Polly's retry strategy, and the seed's helpers
/// (<c>retryExternalAPI(fn, 'fetch-user-data')</c> becomes <c>RetryPresets.RetryExternalApiAsync(fn, "fetch-user-data")</c>).
/// The operation name is Polly's <see cref="ResilienceContext.OperationKey"/> and appears in logs, traces
/// (<c>AiServer.Resilience</c>) and the <c>retry_attempts_total{operation,preset,cause}</c> metric.
/// </summary>
public static class RetryPresets
{
    private static readonly ResiliencePipeline[] Pipelines = new ResiliencePipeline[3];

    private static ILogger _logger = NullLogger.Instance;

    /// <summary>
    /// The delay before retry <paramref name="retry"/> (1-based): <c>min(MaxDelay, BaseDelay x ExponentialBase^(retry-1))</c>,
    /// scaled into [50 %, 100 %] by <paramref name="random"/> when the preset uses jitter.
    /// </summary>
    /// <param name="preset">The preset.</param>
    /// <param name="retry">1 for the first retry.</param>
    /// <param name="random">A value in [0, 1) (ignored without jitter); 1 gives the undiminished delay.</param>
    public static TimeSpan ComputeDelay(RetryPresetOptions preset, int retry, double random = 1.0)
    {
        ArgumentNullException.ThrowIfNull(preset);
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var ms = Math.Min(preset.MaxDelay.TotalMilliseconds, preset.BaseDelay.TotalMilliseconds * Math.Pow(preset.ExponentialBase, retry - 1));
        if (preset.UseJitter)
        {
            ms *= 0.5 + (0.5 * Math.Clamp(random, 0, 1));
        }

        return TimeSpan.FromMilliseconds(ms);
    }

    /// <summary>
    /// Polly retry options for <paramref name="preset"/>: retries exceptions accepted by <paramref name="shouldRetry"/>
    /// (default: every exception but the caller's cancellation), honours a breaker rejection's Retry-After and gives up
    /// when it is longer than the preset's <see cref="RetryPresetOptions.MaxDelay"/>.
    /// </summary>
    /// <param name="preset">The preset.</param>
    /// <param name="shouldRetry">Which exceptions to retry.</param>
    /// <param name="logger">Where retries are logged.</param>
    public static RetryStrategyOptions CreateStrategyOptions(RetryPreset preset, Func<Exception, bool>? shouldRetry = null, ILogger? logger = null)
    {
        var numbers = RetryPresetOptions.For(preset);
        shouldRetry ??= static _ => true;
        var options = new RetryStrategyOptions();
        Configure(
            options,
            numbers,
            (outcome, context) => outcome.Exception is { } ex && !(ex is OperationCanceledException && context.CancellationToken.IsCancellationRequested) && shouldRetry(ex),
            static outcome => RetryAfterOf(outcome.Exception),
            logger ?? _logger);
        return options;
    }

    /// <summary>Adds the retry preset to a pipeline (outside the breaker, so a rejection can wait for the next probe).</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="preset">The preset.</param>
    /// <param name="logger">Where retries are logged.</param>
    public static ResiliencePipelineBuilder AddRetryPreset(this ResiliencePipelineBuilder builder, RetryPreset preset, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRetry(CreateStrategyOptions(preset, logger: logger));
    }

    /// <summary>The seed's <c>retryExternalAPI(fn, operation)</c>: 3 attempts, 1 s base, 10 s max, base 2, jitter.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="action">The call.</param>
    /// <param name="operation">The operation name for logs, traces and metrics.</param>
    /// <param name="cancellationToken">Cancels the call and the waits.</param>
    public static Task<T> RetryExternalApiAsync<T>(Func<CancellationToken, Task<T>> action, string operation, CancellationToken cancellationToken = default) =>
        ExecuteAsync(RetryPreset.ExternalApi, action, operation, cancellationToken);

    /// <summary>The seed's database preset: 2 attempts, 500 ms base, 2 s max, base 2, no jitter.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="action">The call.</param>
    /// <param name="operation">The operation name for logs, traces and metrics.</param>
    /// <param name="cancellationToken">Cancels the call and the waits.</param>
    public static Task<T> RetryDatabaseAsync<T>(Func<CancellationToken, Task<T>> action, string operation, CancellationToken cancellationToken = default) =>
        ExecuteAsync(RetryPreset.Database, action, operation, cancellationToken);

    /// <summary>The seed's <c>retryCritical(fn, operation)</c>: 5 attempts, 2 s base, 30 s max, base 1.5, jitter.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="action">The call.</param>
    /// <param name="operation">The operation name for logs, traces and metrics.</param>
    /// <param name="cancellationToken">Cancels the call and the waits.</param>
    public static Task<T> RetryCriticalAsync<T>(Func<CancellationToken, Task<T>> action, string operation, CancellationToken cancellationToken = default) =>
        ExecuteAsync(RetryPreset.Critical, action, operation, cancellationToken);

    /// <summary>Runs <paramref name="action"/> with <paramref name="preset"/> under the operation name <paramref name="operation"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="preset">The preset.</param>
    /// <param name="action">The call.</param>
    /// <param name="operation">The operation name for logs, traces and metrics.</param>
    /// <param name="cancellationToken">Cancels the call and the waits.</param>
    public static Task<T> ExecuteAsync<T>(RetryPreset preset, Func<CancellationToken, Task<T>> action, string operation, CancellationToken cancellationToken = default) =>
        ExecuteAsync(GetPipeline(preset), action, operation, cancellationToken);

    internal static async Task<T> ExecuteAsync<T>(ResiliencePipeline pipeline, Func<CancellationToken, Task<T>> action, string operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentException.ThrowIfNullOrEmpty(operation);
        using var activity = ResilienceTelemetry.ActivitySource.StartActivity(operation);
        var context = ResilienceContextPool.Shared.Get(operation, cancellationToken);
        try
        {
            return await pipeline.ExecuteAsync(static (ctx, fn) => new ValueTask<T>(fn(ctx.CancellationToken)), context, action).ConfigureAwait(false);
        }
        catch (Exception ex) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Builds a pipeline for <paramref name="preset"/> on <paramref name="timeProvider"/> (tests move fake time).</summary>
    internal static ResiliencePipeline CreatePipeline(RetryPreset preset, TimeProvider timeProvider, ILogger? logger = null) =>
        new ResiliencePipelineBuilder { TimeProvider = timeProvider }.AddRetryPreset(preset, logger).Build();

    internal static void UseLogger(ILogger logger) => _logger = logger;

    private static ResiliencePipeline GetPipeline(RetryPreset preset)
    {
        var index = (int)preset;
        return Volatile.Read(ref Pipelines[index]) ?? (Pipelines[index] = CreatePipeline(preset, TimeProvider.System));
    }

    /// <summary>Fills <paramref name="options"/> with a preset's delays, Retry-After handling, logging and metrics.</summary>
    internal static void Configure<T>(
        RetryStrategyOptions<T> options,
        RetryPresetOptions preset,
        Func<Outcome<T>, ResilienceContext, bool> shouldRetry,
        Func<Outcome<T>, TimeSpan?> retryAfter,
        ILogger logger)
    {
        options.Name = $"retry-{preset.Name}";
        options.MaxRetryAttempts = preset.MaxAttempts - 1;
        options.ShouldHandle = args =>
        {
            if (!shouldRetry(args.Outcome, args.Context))
            {
                return new(false);
            }

            // Honour Retry-After, but a wait longer than the preset allows is better returned to the caller at once.
            var after = retryAfter(args.Outcome);
            return new(after is null || after <= preset.MaxDelay);
        };
        options.DelayGenerator = args =>
        {
            var delay = ComputeDelay(preset, args.AttemptNumber + 1, Random.Shared.NextDouble());
            if (retryAfter(args.Outcome) is { } after && after > delay)
            {
                delay = after;
            }

            return new(delay);
        };
        options.OnRetry = args =>
        {
            var operation = args.Context.OperationKey ?? "unnamed";
            var cause = DescribeCause(args.Outcome);
            ResilienceTelemetry.Shared.RetryAttempts.Add(1, new("operation", operation), new("preset", preset.Name), new("cause", cause));
            logger.Retrying(args.AttemptNumber + 1, operation, preset.Name, args.RetryDelay, cause);
            Activity.Current?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection
            {
                ["operation"] = operation,
                ["attempt"] = args.AttemptNumber + 1,
                ["delay_ms"] = args.RetryDelay.TotalMilliseconds,
                ["cause"] = cause,
            }));
            return default;
        };
    }

    internal static TimeSpan? RetryAfterOf(Exception? exception) =>
        exception is CircuitBreakerRejectedException { HasRetryAfter: true } rejected ? rejected.RetryAfter
        : exception is CircuitBreakerRejectedException { Reason: RejectionReason.ForcedOpen } ? TimeSpan.MaxValue
        : null;

    internal static string DescribeCause<T>(Outcome<T> outcome) => outcome.Exception is { } ex
        ? ex.GetType().Name
        : outcome.Result is HttpResponseMessage response ? HttpFailureClassifier.StatusLabel(response.StatusCode) : "result";
}
