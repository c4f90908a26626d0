namespace AiServer.Providers.Replicate;

/// <summary>A Replicate model.</summary>
internal sealed record ReplicateModel
{
    public string? Url { get; init; }

    public required string Owner { get; init; }

    public required string Name { get; init; }

    public string? Description { get; init; }

    public string? Visibility { get; init; }

    public long? RunCount { get; init; }

    public ReplicateModelVersion? LatestVersion { get; init; }
}
