namespace AiServer.Providers.ElevenLabs;

/// <summary><c>GET /v1/voices</c>.</summary>
internal sealed record ElevenLabsVoiceList
{
    public List<ElevenLabsVoice> Voices { get; init; } = [];
}
