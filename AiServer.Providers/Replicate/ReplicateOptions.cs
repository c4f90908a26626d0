namespace AiServer.Providers.Replicate;

/// <summary>Replicate (section <c>Providers:Replicate</c>; the key also from <c>REPLICATE_API_TOKEN</c>).</summary>
public sealed class ReplicateOptions : ProviderClientOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Providers:Replicate";

    /// <summary>Creates the options with Replicate's defaults.</summary>
    public ReplicateOptions()
    {
        BaseUrl = "https://api.replicate.com";
        AttemptTimeout = TimeSpan.FromSeconds(45);
        TotalRequestTimeout = TimeSpan.FromSeconds(120);
    }

    /// <summary>How long a run asks Replicate to block (<c>Prefer: wait=N</c>, 1–60 s) before polling; capped at one second less than <see cref="ProviderClientOptions.AttemptTimeout"/> (below 1 s no wait is asked, the run only polls).</summary>
    public TimeSpan PreferWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Delay between polls of a running prediction (default 1 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest a run waits for a terminal state before it gives up (default 10 min).</summary>
    public TimeSpan RunTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The Standard Webhooks signing secret (<c>whsec_...</c>, from <c>GET /v1/webhooks/default/secret</c>) for verifying webhooks.</summary>
    public string? WebhookSecret { get; set; }

    internal override void Validate(string section, List<string> errors)
    {
        base.Validate(section, errors);
        if (PreferWait < TimeSpan.FromSeconds(1) || PreferWait > TimeSpan.FromSeconds(60))
        {
            errors.Add($"{section}:PreferWait: must be between 1 and 60 seconds, got {PreferWait}.");
        }

        if (PollInterval <= TimeSpan.Zero)
        {
            errors.Add($"{section}:PollInterval: must be positive, got {PollInterval}.");
        }

        if (RunTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{section}:RunTimeout: must be positive, got {RunTimeout}.");
        }
    }
}
