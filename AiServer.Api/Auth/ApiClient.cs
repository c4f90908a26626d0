namespace AiServer.Api.Auth;

/// <summary>The caller of a job route: the id of its API key (<c>key_</c> + 16 hex digits of the key's SHA-256), never the key.</summary>
internal sealed record ApiClient(string Id);
