namespace AiServer.ProviderEmulator.Media;

/// <summary>The two CRC-32 flavours the containers need: PNG/zlib (reflected) and Ogg (not reflected).</summary>
internal static class Checksums
{
    private static readonly uint[] PngTable = BuildReflected();
    private static readonly uint[] OggTable = BuildNormal();

    public static uint Png(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = PngTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }

    public static uint Ogg(ReadOnlySpan<byte> data)
    {
        var crc = 0u;
        foreach (var b in data)
        {
            crc = (crc << 8) ^ OggTable[((crc >> 24) ^ b) & 0xFF];
        }

        return crc;
    }

    private static uint[] BuildReflected()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }

    private static uint[] BuildNormal()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n << 24;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 0x80000000u) != 0 ? (c << 1) ^ 0x04C11DB7u : c << 1;
            }

            table[n] = c;
        }

        return table;
    }
}
