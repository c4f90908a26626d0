namespace AiServer.Api.Auth;

/// <summary>
/// Section <c>Auth</c>: the client API keys of the job routes (<c>Auth:ApiKeys:{i}</c>, each plain for development or
/// <c>sha256:&lt;64 hex&gt;</c> as stored in production) and the per-key rate limit. No key configured: every job
/// request is answered 401 (never open).
/// </summary>
public sealed class ApiKeyOptions
{
    public const string SectionName = "Auth";

    /// <summary><c>Auth:ApiKeys:{i}</c>.</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary><c>Auth:RateLimit</c>: the per-key rate limit.</summary>
    public ApiKeyRateLimit RateLimit { get; set; } = new();
}
