using System.Text;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>The cached reply processors of the typed commands.</summary>
internal static class RespProcessors
{
    public static readonly RespProcessor<bool> Ignore = static (ref RespReader r) =>
    {
        r.Skip();
        return true;
    };

    /// <summary><c>+OK</c> gives true, a null reply (SET NX that did not set) false.</summary>
    public static readonly RespProcessor<bool> OkOrNull = static (ref RespReader r) =>
    {
        byte type = r.PeekType();
        if (type is (byte)'$' or (byte)'*')
        {
            return !r.ReadValue().IsNull;
        }

        r.Skip();
        return true;
    };

    public static readonly RespProcessor<long> Int64 = static (ref RespReader r) => r.ReadInt64();

    public static readonly RespProcessor<bool> Boolean = static (ref RespReader r) => r.ReadInt64() != 0;

    public static readonly RespProcessor<RedisValue> Value = static (ref RespReader r) => r.ReadValue();

    public static readonly RespProcessor<string?> String = static (ref RespReader r) => r.ReadString();

    public static readonly RespProcessor<RedisResult> Result = static (ref RespReader r) => r.ReadResult();

    public static readonly RespProcessor<RedisValue[]> ValueArray = static (ref RespReader r) =>
    {
        int count = r.ReadArrayLength();
        if (count <= 0)
        {
            return [];
        }

        var values = new RedisValue[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = r.ReadValue();
        }

        return values;
    };

    public static readonly RespProcessor<Dictionary<string, RedisValue>> Hash = static (ref RespReader r) =>
    {
        int count = r.ReadArrayLength();
        var hash = new Dictionary<string, RedisValue>(Math.Max(0, count / 2), StringComparer.Ordinal);
        for (int i = 0; i + 1 < count; i += 2)
        {
            hash[r.ReadString() ?? string.Empty] = r.ReadValue();
        }

        return hash;
    };

    public static readonly RespProcessor<DateTimeOffset> Time = static (ref RespReader r) =>
    {
        r.ReadArrayLength();
        long seconds = r.ReadInt64();
        long micros = r.ReadInt64();
        return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(micros * 10);
    };

    public static readonly RespProcessor<(string Cursor, string[] Keys)> Scan = static (ref RespReader r) =>
    {
        r.ReadArrayLength();
        string cursor = r.ReadString() ?? "0";
        int count = r.ReadArrayLength();
        string[] keys = count <= 0 ? [] : new string[count];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = r.ReadString() ?? string.Empty;
        }

        return (cursor, keys);
    };

    /// <summary>XREADGROUP for one stream: <c>[[stream, [[id, [f, v, ...]], ...]]]</c> or null on a BLOCK timeout.</summary>
    public static readonly RespProcessor<RedisStreamEntry[]> StreamRead = static (ref RespReader r) =>
    {
        int streams = r.ReadArrayLength();
        if (streams <= 0)
        {
            return [];
        }

        RedisStreamEntry[] result = [];
        for (int s = 0; s < streams; s++)
        {
            r.ReadArrayLength();
            r.Skip();
            result = ReadEntries(ref r);
        }

        return result;
    };

    public static readonly RespProcessor<RedisStreamAutoClaimResult> AutoClaim = static (ref RespReader r) =>
    {
        int parts = r.ReadArrayLength();
        string next = r.ReadString() ?? "0-0";
        RedisStreamEntry[] claimed = ReadEntries(ref r);
        string[] deleted = [];
        if (parts > 2)
        {
            int count = r.ReadArrayLength();
            deleted = count <= 0 ? [] : new string[count];
            for (int i = 0; i < deleted.Length; i++)
            {
                deleted[i] = r.ReadString() ?? string.Empty;
            }
        }

        return new RedisStreamAutoClaimResult(next, claimed, deleted);
    };

    public static readonly RespProcessor<RedisStreamPendingMessage[]> Pending = static (ref RespReader r) =>
    {
        int count = r.ReadArrayLength();
        if (count <= 0)
        {
            return [];
        }

        var pending = new RedisStreamPendingMessage[count];
        for (int i = 0; i < count; i++)
        {
            r.ReadArrayLength();
            string id = r.ReadString() ?? string.Empty;
            string consumer = r.ReadString() ?? string.Empty;
            long idleMs = r.ReadInt64();
            long deliveries = r.ReadInt64();
            pending[i] = new RedisStreamPendingMessage(id, consumer, TimeSpan.FromMilliseconds(idleMs), deliveries);
        }

        return pending;
    };

    private static RedisStreamEntry[] ReadEntries(ref RespReader r)
    {
        int count = r.ReadArrayLength();
        if (count <= 0)
        {
            return [];
        }

        var entries = new List<RedisStreamEntry>(count);
        for (int i = 0; i < count; i++)
        {
            r.ReadArrayLength();
            string id = r.ReadString() ?? string.Empty;
            int fields = r.ReadArrayLength();
            if (fields < 0)
            {
                // A pending entry whose message was deleted (XREADGROUP with an explicit id, Redis 6 XAUTOCLAIM).
                continue;
            }

            var values = new KeyValuePair<string, RedisValue>[fields / 2];
            for (int f = 0; f < values.Length; f++)
            {
                values[f] = new KeyValuePair<string, RedisValue>(r.ReadString() ?? string.Empty, r.ReadValue());
            }

            entries.Add(new RedisStreamEntry(id, values));
        }

        return [.. entries];
    }

    internal static string DecodeError(in System.Buffers.ReadOnlySequence<byte> frame)
    {
        // "-ERR message\r\n": drop the type byte and the CRLF.
        return Encoding.UTF8.GetString(frame.Slice(1, frame.Length - 3));
    }
}
