using System.Buffers;
using System.Text;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// Reads the elements of one complete RESP2 reply (already validated by <see cref="RespScanner"/>). Results are the only
/// allocations: the bytes of bulk strings and the arrays the caller asked for.
/// </summary>
internal ref struct RespReader
{
    private SequenceReader<byte> _reader;

    public RespReader(in ReadOnlySequence<byte> frame) => _reader = new SequenceReader<byte>(frame);

    /// <summary>The type byte of the next element without consuming it.</summary>
    public readonly byte PeekType() => _reader.TryPeek(out byte type) ? type : throw Truncated();

    /// <summary>Reads an array header: the element count, or -1 for a null array.</summary>
    public int ReadArrayLength()
    {
        byte type = ReadType();
        long count = RespScanner.ParseInt64(ReadLine());
        return type switch
        {
            (byte)'*' => (int)count,
            _ => throw Unexpected(type, "an array"),
        };
    }

    /// <summary>Reads an integer reply (or a numeric bulk/simple string).</summary>
    public long ReadInt64()
    {
        byte type = ReadType();
        ReadOnlySequence<byte> line = ReadLine();
        switch (type)
        {
            case (byte)':':
            case (byte)'+':
                return RespScanner.ParseInt64(line);
            case (byte)'$':
                long length = RespScanner.ParseInt64(line);
                if (length < 0)
                {
                    throw new InvalidCastException("Redis returned null where an integer was expected.");
                }

                long value = RespScanner.ParseInt64(_reader.UnreadSequence.Slice(0, length));
                _reader.Advance(length + 2);
                return value;
            default:
                throw Unexpected(type, "an integer");
        }
    }

    /// <summary>Reads a scalar as a value: bulk strings as bytes, simple strings as text, integers as numbers, null as null.</summary>
    public RedisValue ReadValue()
    {
        byte type = ReadType();
        ReadOnlySequence<byte> line = ReadLine();
        switch (type)
        {
            case (byte)'$':
                long length = RespScanner.ParseInt64(line);
                if (length < 0)
                {
                    return RedisValue.Null;
                }

                byte[] bytes = length == 0 ? [] : new byte[length];
                _reader.UnreadSequence.Slice(0, length).CopyTo(bytes);
                _reader.Advance(length + 2);
                return bytes;
            case (byte)'+':
            case (byte)'-':
                return Encoding.UTF8.GetString(line);
            case (byte)':':
                return RespScanner.ParseInt64(line);
            case (byte)'*':
                if (RespScanner.ParseInt64(line) < 0)
                {
                    return RedisValue.Null;
                }

                throw Unexpected(type, "a scalar");
            default:
                throw Unexpected(type, "a scalar");
        }
    }

    /// <summary>Reads a scalar as UTF-8 text, or null.</summary>
    public string? ReadString()
    {
        byte type = ReadType();
        ReadOnlySequence<byte> line = ReadLine();
        switch (type)
        {
            case (byte)'$':
                long length = RespScanner.ParseInt64(line);
                if (length < 0)
                {
                    return null;
                }

                string text = Encoding.UTF8.GetString(_reader.UnreadSequence.Slice(0, length));
                _reader.Advance(length + 2);
                return text;
            case (byte)'+':
            case (byte)':':
                return Encoding.UTF8.GetString(line);
            default:
                throw Unexpected(type, "a string");
        }
    }

    /// <summary>Whether the next scalar's bytes equal <paramref name="expected"/>; consumes it.</summary>
    public bool ReadBulkEquals(ReadOnlySpan<byte> expected)
    {
        byte type = ReadType();
        ReadOnlySequence<byte> line = ReadLine();
        if (type == (byte)'+')
        {
            return line.Length == expected.Length && Matches(line, expected);
        }

        if (type != (byte)'$')
        {
            throw Unexpected(type, "a string");
        }

        long length = RespScanner.ParseInt64(line);
        if (length < 0)
        {
            return false;
        }

        bool equal = length == expected.Length && Matches(_reader.UnreadSequence.Slice(0, length), expected);
        _reader.Advance(length + 2);
        return equal;
    }

    /// <summary>Reads any reply into a tree.</summary>
    public RedisResult ReadResult()
    {
        byte type = PeekType();
        switch (type)
        {
            case (byte)'*':
                int count = ReadArrayLength();
                if (count < 0)
                {
                    return new RedisResult(RedisResultType.Null, RedisValue.Null, null);
                }

                var items = new RedisResult[count];
                for (int i = 0; i < count; i++)
                {
                    items[i] = ReadResult();
                }

                return new RedisResult(RedisResultType.Array, RedisValue.Null, items);
            case (byte)'-':
                return new RedisResult(RedisResultType.Error, ReadValue(), null);
            case (byte)'+':
                return new RedisResult(RedisResultType.SimpleString, ReadValue(), null);
            case (byte)':':
                return new RedisResult(RedisResultType.Integer, ReadValue(), null);
            default:
                RedisValue value = ReadValue();
                return new RedisResult(value.IsNull ? RedisResultType.Null : RedisResultType.BulkString, value, null);
        }
    }

    /// <summary>Skips one element and everything nested in it.</summary>
    public void Skip()
    {
        if (!RespScanner.TryScan(ref _reader))
        {
            throw Truncated();
        }
    }

    private static bool Matches(ReadOnlySequence<byte> bytes, ReadOnlySpan<byte> expected)
    {
        if (bytes.IsSingleSegment)
        {
            return bytes.FirstSpan.SequenceEqual(expected);
        }

        Span<byte> copy = expected.Length <= 256 ? stackalloc byte[expected.Length] : new byte[expected.Length];
        bytes.CopyTo(copy);
        return copy.SequenceEqual(expected);
    }

    private static InvalidDataException Truncated() => new("Truncated RESP reply from Redis.");

    private static InvalidDataException Unexpected(byte type, string expected) =>
        new($"Unexpected RESP reply type '{(char)type}' from Redis where {expected} was expected.");

    private byte ReadType() => _reader.TryRead(out byte type) ? type : throw Truncated();

    private ReadOnlySequence<byte> ReadLine() =>
        RespScanner.TryReadLine(ref _reader, out ReadOnlySequence<byte> line) ? line : throw Truncated();
}
