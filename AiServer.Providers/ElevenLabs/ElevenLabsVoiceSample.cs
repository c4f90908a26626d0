namespace AiServer.Providers.ElevenLabs;

/// <summary>One audio sample for voice cloning (held in memory, so a repeated request can send it again).</summary>
internal sealed record ElevenLabsVoiceSample(string FileName, byte[] Content, string ContentType = "audio/mpeg");
