namespace AiServer.Providers.ElevenLabs;

/// <summary>A voice from <c>GET /v1/voices</c> (the fields AiServer uses; others are ignored).</summary>
internal sealed record ElevenLabsVoice
{
    public required string VoiceId { get; init; }

    public string? Name { get; init; }

    public string? Category { get; init; }

    public string? Description { get; init; }

    public string? PreviewUrl { get; init; }

    public Dictionary<string, string?>? Labels { get; init; }
}
