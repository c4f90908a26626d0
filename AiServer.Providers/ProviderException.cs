namespace AiServer.Providers;

/// <summary>
/// An external provider answered with an error, or could not be reached. Carries the provider's own HTTP status, error
/// code and message (never an API key: provider messages are scrubbed of the configured key).
/// </summary>
public class ProviderException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="provider">The provider (see <see cref="ProviderNames"/>).</param>
    /// <param name="operation">The operation name of the call.</param>
    /// <param name="statusCode">The provider's HTTP status, or null when there was no response.</param>
    /// <param name="errorCode">The provider's machine-readable error code, if it sent one.</param>
    /// <param name="providerMessage">The provider's human-readable message.</param>
    /// <param name="innerException">The cause.</param>
    public ProviderException(string provider, string operation, int? statusCode, string? errorCode, string providerMessage, Exception? innerException = null)
        : base(Format(provider, operation, statusCode, errorCode, providerMessage), innerException)
    {
        Provider = provider;
        Operation = operation;
        StatusCode = statusCode;
        ErrorCode = errorCode;
        ProviderMessage = providerMessage;
    }

    /// <summary>Creates the exception with a message.</summary>
    public ProviderException()
        : this("unknown", "unknown", null, null, "Provider error")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public ProviderException(string message)
        : this("unknown", "unknown", null, null, message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ProviderException(string message, Exception innerException)
        : this("unknown", "unknown", null, null, message, innerException)
    {
    }

    /// <summary>The provider (see <see cref="ProviderNames"/>).</summary>
    public string Provider { get; }

    /// <summary>The operation name of the failed call.</summary>
    public string Operation { get; }

    /// <summary>The provider's HTTP status; null when no response was received.</summary>
    public int? StatusCode { get; }

    /// <summary>The provider's error code (Replicate: problem title; ElevenLabs: <c>detail.status</c>; Sync: <c>errorCode</c>; PostgREST: <c>code</c>).</summary>
    public string? ErrorCode { get; }

    /// <summary>The provider's message.</summary>
    public string ProviderMessage { get; }

    /// <summary>
    /// The provider job (prediction, training, generation, task) the call belonged to, when the job had already been
    /// created: a caller must look it up (or cancel it) by this id rather than create another, billed, job.
    /// </summary>
    public string? JobId { get; internal set; }

    private static string Format(string provider, string operation, int? status, string? code, string message) =>
        $"{provider} {operation} failed" + (status is { } s ? $" with HTTP {s}" : string.Empty) + (code is null ? string.Empty : $" ({code})") + ": " + message;
}
