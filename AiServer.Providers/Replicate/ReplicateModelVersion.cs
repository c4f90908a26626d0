namespace AiServer.Providers.Replicate;

/// <summary>A version of a Replicate model.</summary>
internal sealed record ReplicateModelVersion
{
    public required string Id { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public string? CogVersion { get; init; }
}
