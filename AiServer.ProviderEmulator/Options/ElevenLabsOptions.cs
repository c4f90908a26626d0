namespace AiServer.ProviderEmulator.Options;

/// <summary><c>Emulator:ElevenLabs</c>.</summary>
public sealed class ElevenLabsOptions : ProviderOptions
{
    /// <summary>Plan concurrency; text-to-speech requests above it get 429 <c>too_many_concurrent_requests</c>.</summary>
    public int MaxConcurrentRequests { get; set; } = 10;

    /// <summary>Custom voice slots; <c>POST /v1/voices/add</c> beyond it gets 400 <c>voice_limit_reached</c>.</summary>
    public int VoiceLimit { get; set; } = 10;

    /// <summary>Per-request character limit (Multilingual v2: 10,000; Flash/Turbo get four times as many).</summary>
    public int CharacterLimit { get; set; } = 10_000;
}
