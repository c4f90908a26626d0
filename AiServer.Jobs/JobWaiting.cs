namespace AiServer.Jobs;

/// <summary>Why a job waits: its provider's breaker is OPEN (fleet-wide), with the breaker's reason and next probe.</summary>
public sealed record JobWaiting
{
    public required string Provider { get; init; }

    public string? Reason { get; init; }

    public DateTimeOffset? NextProbeAt { get; init; }
}
