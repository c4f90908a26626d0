namespace AiServer.ProviderEmulator.Apis;

/// <summary>Body of <c>/health</c>.</summary>
public sealed record HealthStatus(string Status, string Service);
