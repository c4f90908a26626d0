using System.Text.Json.Nodes;

namespace AiServer.Providers.ElevenLabs;

/// <summary>A text-to-speech call.</summary>
internal sealed record ElevenLabsSpeechRequest
{
    public required string VoiceId { get; init; }

    public required string Text { get; init; }

    /// <summary>Null: <see cref="ElevenLabsOptions.DefaultModelId"/>.</summary>
    public string? ModelId { get; init; }

    /// <summary><c>mp3_44100_128</c>, <c>pcm_16000</c>, <c>wav_44100</c>, ...; null: <see cref="ElevenLabsOptions.DefaultOutputFormat"/>.</summary>
    public string? OutputFormat { get; init; }

    public string? LanguageCode { get; init; }

    /// <summary><c>{stability, similarity_boost, style, use_speaker_boost, speed}</c> overriding the voice's settings.</summary>
    public JsonObject? VoiceSettings { get; init; }
}
