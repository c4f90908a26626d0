namespace AiServer.Providers;

/// <summary>
/// The provider could not be used: its circuit breaker rejected the call (it never left this process), the call timed
/// out, or the connection failed. <see cref="BreakerRejected"/> tells the first case apart.
/// </summary>
public sealed class ProviderUnavailableException : ProviderException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="provider">The provider.</param>
    /// <param name="operation">The operation name.</param>
    /// <param name="reason">Why.</param>
    /// <param name="breakerRejected">True when the circuit breaker rejected the call.</param>
    /// <param name="retryAfter">When a retry may pass (breaker rejections).</param>
    /// <param name="innerException">The cause.</param>
    public ProviderUnavailableException(string provider, string operation, string reason, bool breakerRejected, TimeSpan? retryAfter, Exception? innerException)
        : base(provider, operation, null, breakerRejected ? "circuit_open" : "unavailable", reason, innerException)
    {
        BreakerRejected = breakerRejected;
        RetryAfter = retryAfter;
    }

    /// <summary>Creates the exception.</summary>
    public ProviderUnavailableException()
        : this("unknown", "unknown", "unavailable", false, null, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ProviderUnavailableException(string message)
        : this("unknown", "unknown", message, false, null, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ProviderUnavailableException(string message, Exception innerException)
        : this("unknown", "unknown", message, false, null, innerException)
    {
    }

    /// <summary>True when the provider's circuit breaker rejected the call (the request was never sent).</summary>
    public bool BreakerRejected { get; }

    /// <summary>When a retry may pass, if known.</summary>
    public TimeSpan? RetryAfter { get; }
}
