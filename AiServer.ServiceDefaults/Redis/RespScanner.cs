using System.Buffers;
using System.Buffers.Text;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// Finds where a complete RESP2 reply ends without materialising it, so the reader loop hands whole frames to the
/// waiting command. Large bulk strings are skipped by length, so an 8 MB value costs one length check per read.
/// </summary>
internal static class RespScanner
{
    /// <summary>Advances past one complete reply; false (reader position undefined) when more bytes are needed.</summary>
    public static bool TryScan(ref SequenceReader<byte> reader)
    {
        long remaining = 1;
        while (remaining > 0)
        {
            if (!reader.TryRead(out byte type) || !TryReadLine(ref reader, out ReadOnlySequence<byte> line))
            {
                return false;
            }

            remaining--;
            switch (type)
            {
                case (byte)'+':
                case (byte)'-':
                case (byte)':':
                    break;
                case (byte)'$':
                    long length = ParseInt64(line);
                    if (length >= 0)
                    {
                        if (reader.Remaining < length + 2)
                        {
                            return false;
                        }

                        reader.Advance(length + 2);
                    }

                    break;
                case (byte)'*':
                    long count = ParseInt64(line);
                    if (count > 0)
                    {
                        remaining += count;
                    }

                    break;
                default:
                    throw new InvalidDataException($"Unexpected RESP type byte 0x{type:x2} from Redis.");
            }
        }

        return true;
    }

    /// <summary>Reads up to CRLF; the line excludes the CRLF.</summary>
    public static bool TryReadLine(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> line)
    {
        if (!reader.TryReadTo(out line, (byte)'\n'))
        {
            return false;
        }

        if (line.Length == 0 || !line.Slice(line.Length - 1).FirstSpan.SequenceEqual("\r"u8))
        {
            throw new InvalidDataException("Malformed RESP line from Redis (LF without CR).");
        }

        line = line.Slice(0, line.Length - 1);
        return true;
    }

    public static long ParseInt64(in ReadOnlySequence<byte> line)
    {
        scoped ReadOnlySpan<byte> span;
        Span<byte> copy = stackalloc byte[32];
        if (line.IsSingleSegment)
        {
            span = line.FirstSpan;
        }
        else if (line.Length <= copy.Length)
        {
            line.CopyTo(copy);
            span = copy[..(int)line.Length];
        }
        else
        {
            throw new InvalidDataException("RESP integer too long.");
        }

        if (!Utf8Parser.TryParse(span, out long value, out int consumed) || consumed != span.Length)
        {
            throw new InvalidDataException("Malformed RESP integer from Redis.");
        }

        return value;
    }
}
