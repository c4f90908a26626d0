namespace AiServer.Api.Auth;

/// <summary>Section <c>Auth:RateLimit</c>: a token bucket per API key.</summary>
public sealed class ApiKeyRateLimit
{
    /// <summary><c>Auth:RateLimit:PermitsPerSecond</c>: requests per second and key, refilled steadily (default 100).</summary>
    public int PermitsPerSecond { get; set; } = 100;

    /// <summary><c>Auth:RateLimit:Burst</c>: requests a key may send at once (default 200).</summary>
    public int Burst { get; set; } = 200;
}
