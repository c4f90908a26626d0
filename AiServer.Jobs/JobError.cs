namespace AiServer.Jobs;

/// <summary>Why a job failed: our code, the provider's status and code, and a message (never a secret).</summary>
public sealed record JobError
{
    /// <summary>
    /// <c>provider_error</c> (the provider refused or failed the job), <c>provider_unavailable</c> (attempts exhausted
    /// against an unreachable provider), <c>invalid_input</c> (the provider rejected the input), <c>output_unavailable</c>
    /// (the output could not be fetched) or <c>internal</c>.
    /// </summary>
    public required string Code { get; init; }

    public required string Message { get; init; }

    public string? Provider { get; init; }

    public int? ProviderStatus { get; init; }

    public string? ProviderCode { get; init; }
}
