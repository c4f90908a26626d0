using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// The resilience pipeline of a provider's named <see cref="HttpClient"/>, run by Microsoft.Extensions.Http.Resilience's
/// handler: total timeout -> retry preset -> fleet breaker (with the shared 429 cool-down) -> attempt timeout.
/// A POST or PATCH without an <c>Idempotency-Key</c> header is retried only when the failure proves it was never sent.
/// A request whose body cannot be sent twice (e.g. a <see cref="StreamContent"/>) is not retried once an attempt
/// reached the inner handler (<see cref="FleetAttemptHandler"/> marks it): the caller gets that attempt's outcome, not
/// "stream already consumed" from the next one.
/// </summary>
internal static class FleetHttpPipeline
{
    /// <summary>The pipeline's name in <c>AddResilienceHandler</c> (the registered pipeline is <c>{client}-fleet</c>).</summary>
    public const string Name = "fleet";

    /// <summary>Strategy names, as Polly's telemetry and <c>Polly.Testing</c> show them.</summary>
    public const string TotalTimeoutName = "total-timeout";

    /// <summary>The innermost strategy: one attempt.</summary>
    public const string AttemptTimeoutName = "attempt-timeout";

    /// <summary>Set on a request whose content cannot be replayed once an attempt handed it to the transport.</summary>
    internal static readonly HttpRequestOptionsKey<bool> ContentSentKey = new("AiServer.ContentSent");

    /// <summary>Adds the strategies to <paramref name="pipeline"/>, outermost first.</summary>
    public static void Configure(
        ResiliencePipelineBuilder<HttpResponseMessage> pipeline,
        FleetCircuitBreaker breaker,
        RetryPreset preset,
        FleetHttpResilienceOptions options,
        TimeProvider timeProvider,
        ILogger logger)
    {
        pipeline.TimeProvider = timeProvider;
        var retry = new RetryStrategyOptions<HttpResponseMessage>();
        RetryPresets.Configure(retry, RetryPresetOptions.For(preset), ShouldRetry, outcome => RetryAfter(outcome, breaker, timeProvider), logger);
        pipeline
            .AddTimeout(new TimeoutStrategyOptions { Name = TotalTimeoutName, Timeout = options.TotalRequestTimeout })
            .AddRetry(retry)
            .AddFleetCircuitBreaker(breaker, HttpFailureClassifier.FailureReason, HttpFailureClassifier.IsThrottled)
            .AddTimeout(new TimeoutStrategyOptions { Name = AttemptTimeoutName, Timeout = options.AttemptTimeout });
    }

    internal static bool MaySafelyRepeat(HttpRequestMessage request) =>
        (request.Method != HttpMethod.Post && request.Method != HttpMethod.Patch) || request.Headers.Contains("Idempotency-Key");

    /// <summary>
    /// Whether <paramref name="content"/> can be serialized again for another attempt: no body, or a body held in
    /// memory (string, bytes, form, memory, JSON serialized per send, multipart of those). A stream is read once.
    /// </summary>
    internal static bool IsReplayable(HttpContent? content) => content switch
    {
        null or ByteArrayContent or ReadOnlyMemoryContent or System.Net.Http.Json.JsonContent => true,
        MultipartContent multipart => multipart.All(IsReplayable),
        _ => false,
    };

    /// <summary>
    /// The wait a response or rejection asks for. After a 429 it is at least what is left of the cool-down the 429
    /// started (its Retry-After or <see cref="FleetHttpResilienceOptions.DefaultThrottleCooldown"/>, or a longer one of
    /// the fleet): an earlier attempt would only be turned away by our own cool-down.
    /// </summary>
    private static TimeSpan? RetryAfter(Outcome<HttpResponseMessage> outcome, FleetCircuitBreaker breaker, TimeProvider time)
    {
        var after = HttpFailureClassifier.RetryAfter(outcome, time);
        if (HttpFailureClassifier.IsThrottled(outcome) && breaker.CooldownRemaining is { } cooldown && (after is null || cooldown > after))
        {
            after = cooldown;
        }

        return after;
    }

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (outcome.Exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
        {
            return false;
        }

        var request = context.GetRequestMessage();
        if (request is not null && request.Options.TryGetValue(ContentSentKey, out var sent) && sent)
        {
            return false;
        }

        if (!HttpFailureClassifier.IsTransient(outcome))
        {
            return false;
        }

        return (request is not null && MaySafelyRepeat(request)) || HttpFailureClassifier.ProvesNotSent(outcome);
    }
}
