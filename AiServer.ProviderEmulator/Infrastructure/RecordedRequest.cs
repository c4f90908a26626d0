namespace AiServer.ProviderEmulator.Infrastructure;

/// <summary>One request that reached a provider path, as <c>GET /_emulator/requests</c> reports it.</summary>
internal sealed record RecordedRequest(
    long Sequence,
    string Provider,
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    long BodySize,
    DateTimeOffset ReceivedAt,
    int StatusCode,
    string? FaultId,
    string? FaultKind);
