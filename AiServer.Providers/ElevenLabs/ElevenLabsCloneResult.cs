namespace AiServer.Providers.ElevenLabs;

/// <summary><c>POST /v1/voices/add</c>: the new voice.</summary>
internal sealed record ElevenLabsCloneResult
{
    public required string VoiceId { get; init; }

    public bool RequiresVerification { get; init; }
}
