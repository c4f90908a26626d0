using System.Buffers.Binary;
using System.Text;

namespace AiServer.Tests.ProviderEmulator;

/// <summary>Checks of the magic bytes and headers of the emulator's generated files.</summary>
internal static class MediaAssert
{
    public static void Png(byte[] bytes) => Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);

    public static void Jpeg(byte[] bytes)
    {
        Assert.Equal(new byte[] { 0xFF, 0xD8, 0xFF }, bytes[..3]);
        Assert.Equal(new byte[] { 0xFF, 0xD9 }, bytes[^2..]);
    }

    public static void WebP(byte[] bytes)
    {
        Assert.Equal("RIFF", Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.Equal("WEBP", Encoding.ASCII.GetString(bytes, 8, 4));
        Assert.Equal(bytes.Length - 8, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)));
    }

    public static void Wav(byte[] bytes, int? sampleRate = null)
    {
        Assert.Equal("RIFF", Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.Equal("WAVE", Encoding.ASCII.GetString(bytes, 8, 4));
        Assert.Equal(bytes.Length - 8, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)));
        if (sampleRate is { } rate)
        {
            Assert.Equal(rate, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(24)));
        }
    }

    public static void Mp3(byte[] bytes)
    {
        Assert.Equal(0xFF, bytes[0]);
        Assert.Equal(0xE0, bytes[1] & 0xE0); // frame sync
        Assert.Equal(0x01, (bytes[1] >> 1) & 0x03); // layer III is coded 01
    }

    public static void Mp4(byte[] bytes) => Assert.Equal("ftyp", Encoding.ASCII.GetString(bytes, 4, 4));
}
