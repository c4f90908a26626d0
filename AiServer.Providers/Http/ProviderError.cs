namespace AiServer.Providers.Http;

/// <summary>A provider's error code and message (plus PostgREST's details and hint), parsed from its error body.</summary>
internal readonly record struct ProviderError(string? Code, string Message, string? Details = null, string? Hint = null);
