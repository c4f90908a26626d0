namespace AiServer.ProviderEmulator.Options;

/// <summary><c>Emulator:SyncLabs</c>.</summary>
public sealed class SyncLabsOptions : ProviderOptions
{
    /// <summary>Secret for the <c>Sync-Signature</c> header (format unverified; see docs/emulator.md).</summary>
    public string WebhookSecret { get; set; } = "sync-emulator-webhook-secret";
}
