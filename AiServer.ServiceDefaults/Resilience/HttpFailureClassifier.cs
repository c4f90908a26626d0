using System.Globalization;
using System.Net;
using Polly;
using Polly.Timeout;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// What counts against a provider: connection errors, timeouts, 5xx and 408. A 429 is throttling: honoured through the
/// cool-down, neither a failure nor a success (<see cref="IsThrottled"/>). Other 4xx are the request's fault.
/// </summary>
internal static class HttpFailureClassifier
{
    private static readonly string[] StatusLabels = CreateLabels();

    public static string StatusLabel(HttpStatusCode status)
    {
        var code = (int)status;
        return code is >= 100 and < 600 ? StatusLabels[code] : string.Create(CultureInfo.InvariantCulture, $"HTTP {code}");
    }

    /// <summary>Null when the outcome does not count towards opening; else a short reason.</summary>
    public static string? FailureReason(Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Exception is { } ex)
        {
            return ex switch
            {
                HttpRequestException => nameof(HttpRequestException),
                TimeoutRejectedException => "timeout",
                OperationCanceledException => "timeout",
                CircuitBreakerRejectedException => null,
                _ => ex.GetType().Name,
            };
        }

        return outcome.Result is { } response && IsFailureStatus(response.StatusCode) ? StatusLabel(response.StatusCode) : null;
    }

    /// <summary>A 429: a neutral verdict (no failure, no success, no probe result).</summary>
    public static bool IsThrottled(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is null && outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests };

    public static bool IsFailureStatus(HttpStatusCode status) => (int)status >= 500 || status == HttpStatusCode.RequestTimeout;

    public static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        HttpRequestException or TimeoutRejectedException or CircuitBreakerRejectedException => true,
        null => outcome.Result is { } response && (IsFailureStatus(response.StatusCode) || response.StatusCode == HttpStatusCode.TooManyRequests),
        _ => false,
    };

    /// <summary>
    /// True when the failure proves the request never left this process: a breaker or cool-down rejection, or a failure
    /// to establish the connection (refused, name resolution, TLS handshake).
    /// </summary>
    public static bool ProvesNotSent(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        CircuitBreakerRejectedException => true,
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError } => true,
        _ => false,
    };

    /// <summary>The Retry-After of a response (delta or date) or of a breaker rejection.</summary>
    public static TimeSpan? RetryAfter(Outcome<HttpResponseMessage> outcome, TimeProvider timeProvider)
    {
        if (outcome.Exception is not null)
        {
            return RetryPresets.RetryAfterOf(outcome.Exception);
        }

        if (outcome.Result?.Headers.RetryAfter is not { } header)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private static string[] CreateLabels()
    {
        var labels = new string[600];
        for (var i = 100; i < 600; i++)
        {
            labels[i] = string.Create(CultureInfo.InvariantCulture, $"HTTP {i}");
        }

        return labels;
    }
}
