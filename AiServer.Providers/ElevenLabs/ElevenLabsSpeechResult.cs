namespace AiServer.Providers.ElevenLabs;

/// <summary>What a text-to-speech call produced.</summary>
internal sealed record ElevenLabsSpeechResult(long Bytes, string? ContentType, string OutputFormat, string? RequestId, string? CharacterCost);
