namespace AiServer.ProviderEmulator.Providers.Replicate;

/// <summary>An uploaded file (<c>POST /v1/files</c>).</summary>
internal sealed record ReplicateFile(string Id, string Name, string ContentType, byte[] Content, string Metadata, DateTimeOffset CreatedAt);
