using System.Text;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// A command name (with its sub-command, e.g. <c>XGROUP CREATE</c>) pre-encoded as RESP bulk strings, so the hot path
/// copies bytes instead of encoding text; <see cref="Name"/> is the metric tag.
/// </summary>
internal sealed class RedisCommand
{
    public static readonly RedisCommand Auth = new("AUTH");
    public static readonly RedisCommand ClientSetName = new("CLIENT SETNAME");
    public static readonly RedisCommand Del = new("DEL");
    public static readonly RedisCommand EvalSha = new("EVALSHA");
    public static readonly RedisCommand Exists = new("EXISTS");
    public static readonly RedisCommand Get = new("GET");
    public static readonly RedisCommand HDel = new("HDEL");
    public static readonly RedisCommand HGet = new("HGET");
    public static readonly RedisCommand HGetAll = new("HGETALL");
    public static readonly RedisCommand HSet = new("HSET");
    public static readonly RedisCommand Incr = new("INCR");
    public static readonly RedisCommand IncrBy = new("INCRBY");
    public static readonly RedisCommand PExpire = new("PEXPIRE");
    public static readonly RedisCommand Ping = new("PING");
    public static readonly RedisCommand Publish = new("PUBLISH");
    public static readonly RedisCommand SAdd = new("SADD");
    public static readonly RedisCommand Scan = new("SCAN");
    public static readonly RedisCommand ScriptLoad = new("SCRIPT LOAD");
    public static readonly RedisCommand Select = new("SELECT");
    public static readonly RedisCommand Set = new("SET");
    public static readonly RedisCommand SMembers = new("SMEMBERS");
    public static readonly RedisCommand SRem = new("SREM");
    public static readonly RedisCommand Subscribe = new("SUBSCRIBE");
    public static readonly RedisCommand Time = new("TIME");
    public static readonly RedisCommand Unsubscribe = new("UNSUBSCRIBE");
    public static readonly RedisCommand XAck = new("XACK");
    public static readonly RedisCommand XAdd = new("XADD");
    public static readonly RedisCommand XAutoClaim = new("XAUTOCLAIM");
    public static readonly RedisCommand XDel = new("XDEL");
    public static readonly RedisCommand XGroupCreate = new("XGROUP CREATE");
    public static readonly RedisCommand XLen = new("XLEN");
    public static readonly RedisCommand XPending = new("XPENDING");
    public static readonly RedisCommand XReadGroup = new("XREADGROUP");
    public static readonly RedisCommand ZAdd = new("ZADD");
    public static readonly RedisCommand ZRangeByScore = new("ZRANGEBYSCORE");
    public static readonly RedisCommand ZRem = new("ZREM");

    public RedisCommand(string text)
    {
        string[] tokens = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0)
        {
            throw new ArgumentException("A Redis command needs a name.", nameof(text));
        }

        Name = string.Join(' ', tokens).ToLowerInvariant();
        TokenCount = tokens.Length;
        var encoded = new StringBuilder();
        foreach (string token in tokens)
        {
            string upper = token.ToUpperInvariant();
            encoded.Append('$').Append(Encoding.UTF8.GetByteCount(upper)).Append("\r\n").Append(upper).Append("\r\n");
        }

        Encoded = Encoding.UTF8.GetBytes(encoded.ToString());
    }

    /// <summary>Lower-case name used as the <c>command</c> metric tag, e.g. <c>get</c>, <c>xgroup create</c>.</summary>
    public string Name { get; }

    public int TokenCount { get; }

    public byte[] Encoded { get; }
}
