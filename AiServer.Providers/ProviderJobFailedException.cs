namespace AiServer.Providers;

/// <summary>
/// An asynchronous provider job (prediction, training, generation, finetune, Gradio call) ended in a terminal state
/// other than success; <see cref="JobId"/> and <see cref="Status"/> are the provider's.
/// </summary>
public sealed class ProviderJobFailedException : ProviderException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="provider">The provider.</param>
    /// <param name="operation">The operation name.</param>
    /// <param name="jobId">The provider's job id.</param>
    /// <param name="status">The terminal status as the provider spells it.</param>
    /// <param name="errorCode">The provider's error code, if any.</param>
    /// <param name="providerMessage">The provider's error text.</param>
    public ProviderJobFailedException(string provider, string operation, string jobId, string status, string? errorCode, string providerMessage)
        : base(provider, operation, null, errorCode ?? status, providerMessage)
    {
        JobId = jobId;
        Status = status;
    }

    /// <summary>Creates the exception.</summary>
    public ProviderJobFailedException()
        : this("unknown", "unknown", string.Empty, "failed", null, "Job failed")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ProviderJobFailedException(string message)
        : this("unknown", "unknown", string.Empty, "failed", null, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ProviderJobFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = "failed";
    }

    /// <summary>The terminal status as the provider spells it (<c>failed</c>, <c>FAILED</c>, <c>Error</c>, ...).</summary>
    public string Status { get; }
}
