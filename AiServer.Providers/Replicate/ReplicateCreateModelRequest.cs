namespace AiServer.Providers.Replicate;

/// <summary>Body of <c>POST /v1/models</c>.</summary>
internal sealed record ReplicateCreateModelRequest
{
    public required string Owner { get; init; }

    public required string Name { get; init; }

    /// <summary><c>public</c> or <c>private</c>.</summary>
    public string Visibility { get; init; } = "private";

    /// <summary>A SKU from <c>/v1/hardware</c> (<c>cpu</c>, <c>gpu-t4</c>, ...).</summary>
    public string Hardware { get; init; } = "gpu-t4";

    public string? Description { get; init; }
}
