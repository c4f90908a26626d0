namespace AiServer.Providers.SyncLabs;

/// <summary>Sync Labs / sync.so (section <c>Providers:SyncLabs</c>; the key also from <c>SYNC_LABS_API_KEY</c>).</summary>
public sealed class SyncLabsOptions : ProviderClientOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Providers:SyncLabs";

    /// <summary>Creates the options with Sync's defaults.</summary>
    public SyncLabsOptions()
    {
        BaseUrl = "https://api.sync.so";
        AttemptTimeout = TimeSpan.FromSeconds(15);
        TotalRequestTimeout = TimeSpan.FromSeconds(60);
    }

    /// <summary>Model used when a call names none (default <c>lipsync-2</c>).</summary>
    public string DefaultModel { get; set; } = "lipsync-2";

    /// <summary>Delay between polls of a generation (default 5 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Secret for verifying <c>Sync-Signature</c> webhook headers.</summary>
    public string? WebhookSecret { get; set; }

    internal override void Validate(string section, List<string> errors)
    {
        base.Validate(section, errors);
        if (PollInterval <= TimeSpan.Zero)
        {
            errors.Add($"{section}:PollInterval: must be positive, got {PollInterval}.");
        }

        if (string.IsNullOrWhiteSpace(DefaultModel))
        {
            errors.Add($"{section}:DefaultModel: must not be empty.");
        }
    }
}
