namespace AiServer.Providers.Replicate;

/// <summary><c>GET /v1/account</c>.</summary>
internal sealed record ReplicateAccount
{
    public string? Type { get; init; }

    public string? Username { get; init; }

    public string? Name { get; init; }
}
