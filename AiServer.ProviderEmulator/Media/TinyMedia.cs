using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace AiServer.ProviderEmulator.Media;

/// <summary>
/// Small, deterministic, structurally valid media files: the bytes depend only on the arguments, so tests and
/// clients can check magic numbers, sizes and headers.
/// </summary>
internal static class TinyMedia
{
    // 1x1 lossless WebP (the well-known feature-detection image).
    private static readonly byte[] WebPBytes = Convert.FromBase64String("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");

    /// <summary>An 8x8 RGB PNG of one colour.</summary>
    public static byte[] Png(byte r = 0x3C, byte g = 0x78, byte b = 0xB4)
    {
        const int size = 8;
        var raw = new byte[size * (1 + (size * 3))];
        for (var y = 0; y < size; y++)
        {
            var row = y * (1 + (size * 3));
            raw[row] = 0; // filter: none
            for (var x = 0; x < size; x++)
            {
                raw[row + 1 + (x * 3)] = r;
                raw[row + 2 + (x * 3)] = g;
                raw[row + 3 + (x * 3)] = b;
            }
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, size);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), size);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: RGB
        PngChunk(png, "IHDR", header);
        PngChunk(png, "IDAT", compressed.ToArray());
        PngChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>An 8x8 grey baseline JPEG: one block, DC only, minimal Huffman tables.</summary>
    public static byte[] Jpeg()
    {
        using var jpeg = new MemoryStream();
        jpeg.Write([0xFF, 0xD8]); // SOI
        jpeg.Write([0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
        jpeg.Write([0xFF, 0xDB, 0x00, 0x43, 0x00]); // DQT, table 0
        jpeg.Write(Enumerable.Repeat((byte)1, 64).ToArray());
        jpeg.Write([0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00]); // SOF0 8x8, 1 component
        jpeg.Write([0xFF, 0xC4, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]); // DHT DC0: one code for category 0
        jpeg.Write([0xFF, 0xC4, 0x00, 0x14, 0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]); // DHT AC0: one code for EOB
        jpeg.Write([0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]); // SOS
        jpeg.Write([0x3F]); // DC diff 0 ("0"), EOB ("0"), padded with ones
        jpeg.Write([0xFF, 0xD9]); // EOI
        return jpeg.ToArray();
    }

    public static byte[] WebP() => (byte[])WebPBytes.Clone();

    /// <summary>16-bit mono PCM WAV: a quarter second of a quiet 440 Hz tone.</summary>
    public static byte[] Wav(int sampleRate = 44_100)
    {
        var pcm = Pcm(sampleRate);
        var wav = new byte[44 + pcm.Length];
        var span = wav.AsSpan();
        Encoding.ASCII.GetBytes("RIFF").CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 36 + pcm.Length);
        Encoding.ASCII.GetBytes("WAVEfmt ").CopyTo(span[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], 1); // PCM
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], 1); // mono
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], sampleRate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], 2);
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], 16);
        Encoding.ASCII.GetBytes("data").CopyTo(span[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], pcm.Length);
        pcm.CopyTo(span[44..]);
        return wav;
    }

    /// <summary>Raw signed 16-bit little-endian mono samples (ElevenLabs <c>pcm_*</c>).</summary>
    public static byte[] Pcm(int sampleRate)
    {
        var samples = sampleRate / 4;
        var pcm = new byte[samples * 2];
        for (var i = 0; i < samples; i++)
        {
            var value = (short)(1000 * Math.Sin(2 * Math.PI * 440 * i / sampleRate));
            BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(i * 2), value);
        }

        return pcm;
    }

    /// <summary>8-bit G.711 silence (µ-law 0xFF, A-law 0xD5), a quarter second at 8 kHz.</summary>
    public static byte[] G711(bool muLaw) => Enumerable.Repeat(muLaw ? (byte)0xFF : (byte)0xD5, 2000).ToArray();

    /// <summary>
    /// Silent mono MPEG Layer III frames (MPEG-1 for 32/44.1/48 kHz, MPEG-2 for 16/22.05/24 kHz) at the requested
    /// bitrate; unsupported combinations fall back to 44.1 kHz / 128 kbps.
    /// </summary>
    public static byte[] Mp3(int sampleRate = 44_100, int kbps = 128)
    {
        int[] mpeg1Rates = [44_100, 48_000, 32_000];
        int[] mpeg2Rates = [22_050, 24_000, 16_000];
        int[] mpeg1Bitrates = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
        int[] mpeg2Bitrates = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
        var mpeg1 = Array.IndexOf(mpeg2Rates, sampleRate) < 0;
        var rateIndex = Array.IndexOf(mpeg1 ? mpeg1Rates : mpeg2Rates, sampleRate);
        var bitrateIndex = Array.IndexOf(mpeg1 ? mpeg1Bitrates : mpeg2Bitrates, kbps);
        if (rateIndex < 0 || bitrateIndex <= 0)
        {
            (mpeg1, sampleRate, kbps, rateIndex, bitrateIndex) = (true, 44_100, 128, 0, 9);
        }

        var frameLength = (mpeg1 ? 144 : 72) * kbps * 1000 / sampleRate;
        const int frames = 10;
        var data = new byte[frameLength * frames];
        for (var f = 0; f < frames; f++)
        {
            var frame = data.AsSpan(f * frameLength);
            frame[0] = 0xFF;
            frame[1] = mpeg1 ? (byte)0xFB : (byte)0xF3; // sync, version, layer III, no CRC
            frame[2] = (byte)((bitrateIndex << 4) | (rateIndex << 2));
            frame[3] = 0xC4; // mono, original; zero side info and main data decode as silence
        }

        return data;
    }

    /// <summary>Ogg Opus: OpusHead, OpusTags and ten 20 ms silent CELT packets.</summary>
    public static byte[] OggOpus()
    {
        using var ogg = new MemoryStream();
        var head = new byte[19];
        Encoding.ASCII.GetBytes("OpusHead").CopyTo(head, 0);
        head[8] = 1; // version
        head[9] = 1; // channels
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(10), 312); // pre-skip
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(12), 48_000);
        var vendor = "aiserver-emulator"u8.ToArray();
        var tags = new byte[8 + 4 + vendor.Length + 4];
        Encoding.ASCII.GetBytes("OpusTags").CopyTo(tags, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(tags.AsSpan(8), (uint)vendor.Length);
        vendor.CopyTo(tags, 12);
        OggPage(ogg, 0x02, 0, 0, [head]);
        OggPage(ogg, 0x00, 0, 1, [tags]);
        var packets = Enumerable.Range(0, 10).Select(_ => new byte[] { 0xF8, 0xFF, 0xFE }).ToArray();
        OggPage(ogg, 0x04, 312 + (10 * 960), 2, packets);
        return ogg.ToArray();
    }

    /// <summary>A minimal ISO BMFF file: <c>ftyp</c> (isom), <c>moov</c> with a one-second <c>mvhd</c>, empty <c>mdat</c>.</summary>
    public static byte[] Mp4()
    {
        using var mp4 = new MemoryStream();
        var ftyp = new byte[24];
        Encoding.ASCII.GetBytes("isom").CopyTo(ftyp, 0);
        BinaryPrimitives.WriteInt32BigEndian(ftyp.AsSpan(4), 0x200);
        Encoding.ASCII.GetBytes("isomiso2mp41").CopyTo(ftyp, 8);
        Box(mp4, "ftyp", ftyp[..20]);
        var mvhd = new byte[100];
        BinaryPrimitives.WriteInt32BigEndian(mvhd.AsSpan(12), 1000); // timescale
        BinaryPrimitives.WriteInt32BigEndian(mvhd.AsSpan(16), 1000); // duration: 1 s
        BinaryPrimitives.WriteInt32BigEndian(mvhd.AsSpan(20), 0x00010000); // rate 1.0
        BinaryPrimitives.WriteInt16BigEndian(mvhd.AsSpan(24), 0x0100); // volume 1.0
        int[] matrix = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
        for (var i = 0; i < matrix.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(mvhd.AsSpan(36 + (i * 4)), matrix[i]);
        }

        BinaryPrimitives.WriteInt32BigEndian(mvhd.AsSpan(96), 1); // next track id
        using var moov = new MemoryStream();
        Box(moov, "mvhd", mvhd);
        Box(mp4, "moov", moov.ToArray());
        Box(mp4, "mdat", []);
        return mp4.ToArray();
    }

    public static byte[] WebVtt(string text) =>
        Encoding.UTF8.GetBytes($"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n{text}\n");

    public static byte[] Srt(string text) =>
        Encoding.UTF8.GetBytes($"1\n00:00:00,000 --> 00:00:01,000\n{text}\n");

    /// <summary>A safetensors file with no tensors (8-byte header length + JSON header), standing in for LoRA weights.</summary>
    public static byte[] Safetensors()
    {
        var header = "{\"__metadata__\":{\"format\":\"pt\",\"source\":\"aiserver-emulator\"}}"u8.ToArray();
        var padded = (header.Length + 7) / 8 * 8;
        var file = new byte[8 + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded);
        header.CopyTo(file, 8);
        file.AsSpan(8 + header.Length).Fill((byte)' ');
        return file;
    }

    /// <summary>A ZIP of two training images with same-name captions (what BFL finetunes and Replicate trainers take).</summary>
    public static byte[] Zip()
    {
        using var buffer = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(buffer, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var name in new[] { "image-1", "image-2" })
            {
                using (var image = zip.CreateEntry(name + ".png").Open())
                {
                    image.Write(Png());
                }

                using var caption = zip.CreateEntry(name + ".txt").Open();
                caption.Write("a photo of TOK"u8);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Bytes and content type for a generated file name, by extension; null for unknown extensions.</summary>
    public static (byte[] Bytes, string ContentType)? ForFileName(string fileName)
    {
        var ext = Path.GetExtension(fileName).ToLowerInvariant();
        return ext switch
        {
            ".png" => (Png(), "image/png"),
            ".jpg" or ".jpeg" => (Jpeg(), "image/jpeg"),
            ".webp" => (WebP(), "image/webp"),
            ".wav" => (Wav(), "audio/wav"),
            ".mp3" => (Mp3(), "audio/mpeg"),
            ".opus" or ".ogg" => (OggOpus(), "audio/ogg"),
            ".mp4" => (Mp4(), "video/mp4"),
            ".vtt" => (WebVtt("emulated caption"), "text/vtt"),
            ".srt" => (Srt("emulated caption"), "application/x-subrip"),
            ".txt" => ("emulated caption\n"u8.ToArray(), "text/plain; charset=utf-8"),
            ".safetensors" => (Safetensors(), "application/octet-stream"),
            ".zip" => (Zip(), "application/zip"),
            _ => null,
        };
    }

    private static void PngChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        stream.Write(four);
        var typed = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type).CopyTo(typed, 0);
        data.CopyTo(typed, 4);
        stream.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(four, Checksums.Png(typed));
        stream.Write(four);
    }

    private static void Box(Stream stream, string type, byte[] payload)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, 8 + payload.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(header[4..]);
        stream.Write(header);
        stream.Write(payload);
    }

    private static void OggPage(Stream stream, byte headerType, long granule, int sequence, byte[][] packets)
    {
        var body = packets.SelectMany(p => p).ToArray();
        var page = new byte[27 + packets.Length + body.Length];
        Encoding.ASCII.GetBytes("OggS").CopyTo(page, 0);
        page[5] = headerType;
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(6), granule);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(14), 0x41495345); // stream serial
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(18), (uint)sequence);
        page[26] = (byte)packets.Length;
        for (var i = 0; i < packets.Length; i++)
        {
            page[27 + i] = (byte)packets[i].Length; // every packet is < 255 bytes
        }

        body.CopyTo(page, 27 + packets.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(22), Checksums.Ogg(page));
        stream.Write(page);
    }
}
