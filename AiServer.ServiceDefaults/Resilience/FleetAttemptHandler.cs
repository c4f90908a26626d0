using System.Net;
using Microsoft.Extensions.Logging;
using Polly;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// Innermost handler of a provider client, below the resilience handler, so it runs once per attempt: marks a request
/// whose content cannot be replayed as sent (the retry then stops, see <see cref="FleetHttpPipeline"/>), and turns a 429
/// into the breaker's shared cool-down (its Retry-After, else <see cref="FleetHttpResilienceOptions.DefaultThrottleCooldown"/>,
/// at most <see cref="FleetHttpResilienceOptions.MaxThrottleCooldown"/>).
/// </summary>
internal sealed class FleetAttemptHandler(FleetCircuitBreaker breaker, FleetHttpResilienceOptions options, TimeProvider timeProvider, ILogger logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!FleetHttpPipeline.IsReplayable(request.Content))
        {
            // From here the body may be (partly) consumed: this attempt's outcome is the last.
            request.Options.Set(FleetHttpPipeline.ContentSentKey, true);
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var after = HttpFailureClassifier.RetryAfter(Outcome.FromResult(response), timeProvider) ?? options.DefaultThrottleCooldown;
            if (after > options.MaxThrottleCooldown)
            {
                after = options.MaxThrottleCooldown;
            }

            logger.Throttled(breaker.Name, after);
            breaker.ReportThrottled(after);
        }

        return response;
    }
}
