using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>Writes RESP commands straight into the connection's pipe, without intermediate buffers.</summary>
internal static class RespWriter
{
    private const int MaxInlineStringBytes = 16 * 1024;

    public static void WriteCommand(IBufferWriter<byte> writer, RedisCommand command, ReadOnlySpan<RedisValue> args)
    {
        WriteHeader(writer, (byte)'*', command.TokenCount + args.Length);
        WriteRaw(writer, command.Encoded);
        foreach (ref readonly RedisValue arg in args)
        {
            WriteBulk(writer, arg);
        }
    }

    public static void WriteBulk(IBufferWriter<byte> writer, in RedisValue value)
    {
        switch (value.Kind)
        {
            case RedisValueKind.Bytes:
                var bytes = (byte[])value.RawObject!;
                WriteHeader(writer, (byte)'$', bytes.Length);
                WriteRaw(writer, bytes);
                WriteCrLf(writer);
                break;
            case RedisValueKind.String:
                WriteString(writer, (string)value.RawObject!);
                break;
            case RedisValueKind.Integer:
            {
                Span<byte> digits = stackalloc byte[24];
                Utf8Formatter.TryFormat(value.RawInteger, digits, out int length);
                WriteHeader(writer, (byte)'$', length);
                WriteRaw(writer, digits[..length]);
                WriteCrLf(writer);
                break;
            }

            case RedisValueKind.Double:
            {
                double d = value.RawDouble;
                Span<byte> digits = stackalloc byte[40];
                int length;
                if (double.IsInfinity(d))
                {
                    length = Encoding.ASCII.GetBytes(d > 0 ? "+inf" : "-inf", digits);
                }
                else
                {
                    d.TryFormat(digits, out length, "R", CultureInfo.InvariantCulture);
                }

                WriteHeader(writer, (byte)'$', length);
                WriteRaw(writer, digits[..length]);
                WriteCrLf(writer);
                break;
            }

            default:
                // Redis has no null argument; a null value is sent as the empty string (as StackExchange.Redis does).
                WriteRaw(writer, "$0\r\n\r\n"u8);
                break;
        }
    }

    private static void WriteString(IBufferWriter<byte> writer, string text)
    {
        int byteCount = Encoding.UTF8.GetByteCount(text);
        WriteHeader(writer, (byte)'$', byteCount);
        if (byteCount <= MaxInlineStringBytes)
        {
            Span<byte> span = writer.GetSpan(byteCount);
            Encoding.UTF8.GetBytes(text, span);
            writer.Advance(byteCount);
        }
        else
        {
            byte[] rented = ArrayPool<byte>.Shared.Rent(byteCount);
            try
            {
                int written = Encoding.UTF8.GetBytes(text, rented);
                WriteRaw(writer, rented.AsSpan(0, written));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        WriteCrLf(writer);
    }

    private static void WriteHeader(IBufferWriter<byte> writer, byte prefix, long count)
    {
        Span<byte> span = writer.GetSpan(24);
        span[0] = prefix;
        Utf8Formatter.TryFormat(count, span[1..], out int length);
        span[length + 1] = (byte)'\r';
        span[length + 2] = (byte)'\n';
        writer.Advance(length + 3);
    }

    private static void WriteCrLf(IBufferWriter<byte> writer) => WriteRaw(writer, "\r\n"u8);

    private static void WriteRaw(IBufferWriter<byte> writer, ReadOnlySpan<byte> source)
    {
        while (!source.IsEmpty)
        {
            Span<byte> span = writer.GetSpan(Math.Min(source.Length, 64 * 1024));
            int n = Math.Min(span.Length, source.Length);
            source[..n].CopyTo(span);
            writer.Advance(n);
            source = source[n..];
        }
    }
}
