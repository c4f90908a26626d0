namespace AiServer.ProviderEmulator.Options;

/// <summary><c>Emulator:Replicate</c>.</summary>
public sealed class ReplicateOptions : ProviderOptions
{
    /// <summary>Standard Webhooks signing secret returned by <c>GET /v1/webhooks/default/secret</c>.</summary>
    public string WebhookSecret { get; set; } = "whsec_" + Convert.ToBase64String("aiserver-provider-emulator-key"u8);

    /// <summary>Models (<c>owner/name</c>) that exist from the start, e.g. training destinations.</summary>
    public List<string> Models { get; set; } = [];

    /// <summary>Account name returned by <c>GET /v1/account</c>.</summary>
    public string Username { get; set; } = "aiserver";
}
