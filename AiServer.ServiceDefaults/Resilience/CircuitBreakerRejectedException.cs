using Polly.CircuitBreaker;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// A call rejected by a fleet circuit breaker. The call never reached the provider, so it is always safe to retry,
/// also for non-idempotent requests. It derives from Polly's <see cref="BrokenCircuitException"/>, so code written
/// for Polly's breaker handles it too. It is returned through Polly's outcome, not thrown, on the hot path.
/// </summary>
public sealed class CircuitBreakerRejectedException : BrokenCircuitException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="breakerName">The breaker that rejected the call.</param>
    /// <param name="reason">Why.</param>
    /// <param name="retryAfter">When the next attempt can pass (time until the next probe or the end of the cool-down).</param>
    public CircuitBreakerRejectedException(string breakerName, RejectionReason reason, TimeSpan? retryAfter)
        : base(CreateMessage(breakerName, reason), retryAfter ?? TimeSpan.Zero)
    {
        BreakerName = breakerName;
        Reason = reason;
        HasRetryAfter = retryAfter.HasValue;
    }

    /// <summary>Creates the exception with a message prepared once per breaker (no formatting per rejection).</summary>
    internal CircuitBreakerRejectedException(string breakerName, RejectionReason reason, TimeSpan? retryAfter, string message)
        : base(message, retryAfter ?? TimeSpan.Zero)
    {
        BreakerName = breakerName;
        Reason = reason;
        HasRetryAfter = retryAfter.HasValue;
    }

    /// <summary>Creates the exception for an unnamed breaker.</summary>
    public CircuitBreakerRejectedException()
        : this("unknown", RejectionReason.Open, null)
    {
    }

    /// <summary>Creates the exception with a custom message.</summary>
    /// <param name="message">The message.</param>
    public CircuitBreakerRejectedException(string message)
        : base(message)
    {
        BreakerName = "unknown";
    }

    /// <summary>Creates the exception with a custom message and inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public CircuitBreakerRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        BreakerName = "unknown";
    }

    /// <summary>The breaker that rejected the call.</summary>
    public string BreakerName { get; }

    /// <summary>Why the call was rejected.</summary>
    public RejectionReason Reason { get; }

    /// <summary>Whether <see cref="BrokenCircuitException.RetryAfter"/> is known (a forced-open circuit has no end).</summary>
    public bool HasRetryAfter { get; }

    internal static string CreateMessage(string name, RejectionReason reason) => reason switch
    {
        RejectionReason.ForcedOpen => $"The circuit breaker '{name}' was forced open by an operator.",
        RejectionReason.HalfOpenProbeBusy => $"The circuit breaker '{name}' is half-open and its probe slots are taken.",
        RejectionReason.Cooldown => $"The provider behind '{name}' is throttling (429); the shared cool-down is active.",
        _ => $"The circuit breaker '{name}' is open.",
    };
}
