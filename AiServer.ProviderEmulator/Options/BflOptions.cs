namespace AiServer.ProviderEmulator.Options;

/// <summary><c>Emulator:Bfl</c>.</summary>
public sealed class BflOptions : ProviderOptions
{
    /// <summary>Header carrying the webhook HMAC (the real one is unverified).</summary>
    public string WebhookSignatureHeader { get; set; } = "X-BFL-Signature";

    /// <summary>In-flight task limit (BFL: 24; 6 for flux-kontext-max); above it the documented 429.</summary>
    public int MaxActiveTasks { get; set; } = 24;

    /// <summary>Credits reported by <c>GET /v1/credits</c>.</summary>
    public double Credits { get; set; } = 1000;
}
