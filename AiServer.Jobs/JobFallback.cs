namespace AiServer.Jobs;

/// <summary>A move of a job to another provider of its kind: from, to, why (<c>breaker_open</c> or <c>provider_error</c>) and when.</summary>
public sealed record JobFallback
{
    public required string From { get; init; }

    public required string To { get; init; }

    public required string Reason { get; init; }

    public string? Detail { get; init; }

    public required DateTimeOffset At { get; init; }
}
