using System.Globalization;
using AiServer.ProviderEmulator.Media;

namespace AiServer.ProviderEmulator.Providers.ElevenLabs;

/// <summary>ElevenLabs <c>output_format</c> values (<c>mp3_44100_128</c>, <c>pcm_16000</c>, <c>wav_22050</c>, ...).</summary>
internal static class AudioFormat
{
    private static readonly HashSet<string> Known =
    [
        "alaw_8000", "ulaw_8000", "mp3_22050_32", "mp3_24000_48", "mp3_44100_32", "mp3_44100_64", "mp3_44100_96", "mp3_44100_128", "mp3_44100_192",
        "opus_48000_32", "opus_48000_64", "opus_48000_96", "opus_48000_128", "opus_48000_192",
        "pcm_8000", "pcm_16000", "pcm_22050", "pcm_24000", "pcm_32000", "pcm_44100", "pcm_48000",
        "wav_8000", "wav_16000", "wav_22050", "wav_24000", "wav_32000", "wav_44100", "wav_48000",
    ];

    public static bool IsKnown(string format) => Known.Contains(format);

    /// <summary>The audio bytes and content type for a known format.</summary>
    public static (byte[] Bytes, string ContentType) Render(string format)
    {
        var parts = format.Split('_');
        var rate = int.Parse(parts[1], CultureInfo.InvariantCulture);
        return parts[0] switch
        {
            "mp3" => (TinyMedia.Mp3(rate, int.Parse(parts[2], CultureInfo.InvariantCulture)), "audio/mpeg"),
            "opus" => (TinyMedia.OggOpus(), "audio/ogg"),
            "pcm" => (TinyMedia.Pcm(rate), "audio/pcm"),
            "wav" => (TinyMedia.Wav(rate), "audio/wav"),
            "ulaw" => (TinyMedia.G711(muLaw: true), "audio/basic"),
            _ => (TinyMedia.G711(muLaw: false), "audio/alaw"),
        };
    }
}
