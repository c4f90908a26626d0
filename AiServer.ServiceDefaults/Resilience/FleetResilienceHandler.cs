using System.Net;
using Microsoft.Extensions.Logging;
using Polly;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// The standard resilience handler of a provider's named <see cref="HttpClient"/>, built on the fleet breaker:
/// total timeout -> retry preset -> fleet breaker (with the shared 429 cool-down) -> attempt timeout.
/// A POST or PATCH without an <c>Idempotency-Key</c> header is retried only when the failure proves it was never sent.
/// A request whose body cannot be sent twice (e.g. a <see cref="StreamContent"/>) is not retried once an attempt
/// reached the inner handler: the caller gets that attempt's outcome, not "stream already consumed" from the next one.
/// </summary>
internal sealed class FleetResilienceHandler : DelegatingHandler
{
    internal static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("AiServer.Request");

    /// <summary>Set once a request whose content cannot be replayed went to the inner handler.</summary>
    private static readonly ResiliencePropertyKey<bool> ContentUsedKey = new("AiServer.ContentUsed");

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly FleetCircuitBreaker _breaker;
    private readonly FleetHttpResilienceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _operationPrefix;

    public FleetResilienceHandler(FleetCircuitBreaker breaker, RetryPreset preset, FleetHttpResilienceOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _breaker = breaker;
        _options = options;
        _time = timeProvider;
        _logger = logger;
        _operationPrefix = breaker.Name + " ";
        var retry = new Polly.Retry.RetryStrategyOptions<HttpResponseMessage>();
        RetryPresets.Configure(retry, RetryPresetOptions.For(preset), ShouldRetry, RetryAfter, logger);
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddTimeout(options.TotalRequestTimeout)
            .AddRetry(retry)
            .AddFleetCircuitBreaker(breaker, HttpFailureClassifier.FailureReason, HttpFailureClassifier.IsThrottled)
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    internal static bool MaySafelyRepeat(HttpRequestMessage request) =>
        (request.Method != HttpMethod.Post && request.Method != HttpMethod.Patch) || request.Headers.Contains("Idempotency-Key");

    /// <summary>
    /// The wait a response or rejection asks for. After a 429 it is at least what is left of the cool-down the 429
    /// started (its Retry-After or <see cref="FleetHttpResilienceOptions.DefaultThrottleCooldown"/>, or a longer one of
    /// the fleet): an earlier attempt would only be turned away by our own cool-down.
    /// </summary>
    private TimeSpan? RetryAfter(Outcome<HttpResponseMessage> outcome)
    {
        var after = HttpFailureClassifier.RetryAfter(outcome, _time);
        if (HttpFailureClassifier.IsThrottled(outcome) && _breaker.CooldownRemaining is { } cooldown && (after is null || cooldown > after))
        {
            after = cooldown;
        }

        return after;
    }

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

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (outcome.Exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
        {
            return false;
        }

        if (context.Properties.TryGetValue(ContentUsedKey, out var contentUsed) && contentUsed)
        {
            return false;
        }

        if (!HttpFailureClassifier.IsTransient(outcome))
        {
            return false;
        }

        return (context.Properties.TryGetValue(RequestKey, out var request) && MaySafelyRepeat(request))
            || HttpFailureClassifier.ProvesNotSent(outcome);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var operation = request.Options.TryGetValue(FleetHttpRequestOptions.OperationKey, out var named) && !string.IsNullOrEmpty(named)
            ? named
            : _operationPrefix + request.Method.Method;
        var context = ResilienceContextPool.Shared.Get(operation, cancellationToken);
        context.Properties.Set(RequestKey, request);
        try
        {
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (ctx, self) =>
                {
                    try
                    {
                        var request = ctx.Properties.GetValue(RequestKey, null!);
                        if (!IsReplayable(request.Content))
                        {
                            // From here the body may be (partly) consumed: this attempt's outcome is the last.
                            ctx.Properties.Set(ContentUsedKey, true);
                        }

                        var response = await self.SendOnceAsync(request, ctx.CancellationToken).ConfigureAwait(false);
                        return Outcome.FromResult(response);
                    }
                    catch (Exception ex)
                    {
                        return Outcome.FromException<HttpResponseMessage>(ex);
                    }
                },
                context,
                this).ConfigureAwait(false);
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var after = HttpFailureClassifier.RetryAfter(Outcome.FromResult(response), _time) ?? _options.DefaultThrottleCooldown;
            if (after > _options.MaxThrottleCooldown)
            {
                after = _options.MaxThrottleCooldown;
            }

            _logger.Throttled(_breaker.Name, after);
            _breaker.ReportThrottled(after);
        }

        return response;
    }
}
