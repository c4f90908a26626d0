namespace AiServer.ProviderEmulator.Options;

/// <summary>Settings every emulated provider has (<c>Emulator:{Provider}:...</c>).</summary>
public abstract class ProviderOptions
{
    /// <summary>The only key accepted; null accepts any non-empty key (the default).</summary>
    public string? ApiKey { get; set; }

    /// <summary>Overrides <see cref="EmulatorOptions.JobDuration"/> for this provider.</summary>
    public TimeSpan? JobDuration { get; set; }

    /// <summary>Fixed-window limit per minute for the provider's endpoints; null = unlimited. Over it the provider's own 429 comes back.</summary>
    public int? RequestsPerMinute { get; set; }
}
