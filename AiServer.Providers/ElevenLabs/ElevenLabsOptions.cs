namespace AiServer.Providers.ElevenLabs;

/// <summary>ElevenLabs (section <c>Providers:ElevenLabs</c>; the key also from <c>ELEVENLABS_API_KEY</c>).</summary>
public sealed class ElevenLabsOptions : ProviderClientOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Providers:ElevenLabs";

    /// <summary>Creates the options with ElevenLabs' defaults.</summary>
    public ElevenLabsOptions()
    {
        BaseUrl = "https://api.elevenlabs.io";
        AttemptTimeout = TimeSpan.FromSeconds(30);
        TotalRequestTimeout = TimeSpan.FromSeconds(90);
    }

    /// <summary>Text-to-speech calls in flight from this instance at once (the plan's concurrency; default 3, Starter).</summary>
    public int MaxConcurrentRequests { get; set; } = 3;

    /// <summary>Extra attempts after a <c>system_busy</c> or <c>too_many_concurrent_requests</c> answer (default 3).</summary>
    public int SystemBusyRetries { get; set; } = 3;

    /// <summary>First backoff delay after <c>system_busy</c>; doubles per retry (default 1 s).</summary>
    public TimeSpan SystemBusyBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Model used when a call names none (default <c>eleven_multilingual_v2</c>).</summary>
    public string DefaultModelId { get; set; } = "eleven_multilingual_v2";

    /// <summary>Audio format used when a call names none (default <c>mp3_44100_128</c>).</summary>
    public string DefaultOutputFormat { get; set; } = "mp3_44100_128";

    /// <summary>Longest a streamed audio body may take to arrive (default 5 min).</summary>
    public TimeSpan StreamTimeout { get; set; } = TimeSpan.FromMinutes(5);

    internal override void Validate(string section, List<string> errors)
    {
        base.Validate(section, errors);
        if (MaxConcurrentRequests is < 1 or > 1000)
        {
            errors.Add($"{section}:MaxConcurrentRequests: must be between 1 and 1000, got {MaxConcurrentRequests}.");
        }

        if (SystemBusyRetries is < 0 or > 10)
        {
            errors.Add($"{section}:SystemBusyRetries: must be between 0 and 10, got {SystemBusyRetries}.");
        }

        if (SystemBusyBaseDelay < TimeSpan.Zero || SystemBusyBaseDelay > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{section}:SystemBusyBaseDelay: must be between 0 and 1 minute, got {SystemBusyBaseDelay}.");
        }

        if (StreamTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{section}:StreamTimeout: must be positive, got {StreamTimeout}.");
        }
    }
}
