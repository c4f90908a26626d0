namespace AiServer.Providers.Bfl;

/// <summary>Black Forest Labs (section <c>Providers:Bfl</c>; the key also from <c>BFL_API_KEY</c>).</summary>
public sealed class BflOptions : ProviderClientOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Providers:Bfl";

    /// <summary>Creates the options with BFL's defaults (the us1 cluster, where finetuning lives).</summary>
    public BflOptions()
    {
        BaseUrl = "https://api.us1.bfl.ai";
        AttemptTimeout = TimeSpan.FromSeconds(60);
        TotalRequestTimeout = TimeSpan.FromSeconds(180);
    }

    /// <summary>Delay between polls of <c>/v1/get_result</c> (default 2 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Largest training ZIP accepted before base64 encoding (default 100 MiB).</summary>
    public long MaxZipBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Secret BFL signs webhooks with (sent as <c>webhook_secret</c> when a call gives none).</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>The webhook signature header (unverified upstream; default <c>X-BFL-Signature</c>).</summary>
    public string WebhookSignatureHeader { get; set; } = "X-BFL-Signature";

    internal override void Validate(string section, List<string> errors)
    {
        base.Validate(section, errors);
        if (PollInterval <= TimeSpan.Zero)
        {
            errors.Add($"{section}:PollInterval: must be positive, got {PollInterval}.");
        }

        if (MaxZipBytes is < 1 or > 1L << 31)
        {
            errors.Add($"{section}:MaxZipBytes: must be between 1 and 2147483648, got {MaxZipBytes}.");
        }
    }
}
