namespace AiServer.Providers;

/// <summary>The provider throttled the call (HTTP 429); <see cref="RetryAfter"/> says when to try again, if the provider said.</summary>
public sealed class ProviderRateLimitedException : ProviderException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="provider">The provider.</param>
    /// <param name="operation">The operation name.</param>
    /// <param name="errorCode">The provider's error code.</param>
    /// <param name="providerMessage">The provider's message.</param>
    /// <param name="retryAfter">The provider's Retry-After, if any.</param>
    public ProviderRateLimitedException(string provider, string operation, string? errorCode, string providerMessage, TimeSpan? retryAfter)
        : base(provider, operation, 429, errorCode, providerMessage)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>Creates the exception.</summary>
    public ProviderRateLimitedException()
        : this("unknown", "unknown", null, "Too many requests", null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ProviderRateLimitedException(string message)
        : this("unknown", "unknown", null, message, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ProviderRateLimitedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>How long the provider asked us to wait (Retry-After), if it said.</summary>
    public TimeSpan? RetryAfter { get; }
}
