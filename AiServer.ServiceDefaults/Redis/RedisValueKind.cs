namespace AiServer.ServiceDefaults.Redis;

/// <summary>What a <see cref="RedisValue"/> holds, so the writer can encode it without boxing.</summary>
internal enum RedisValueKind : byte
{
    Null = 0,
    String,
    Bytes,
    Integer,
    Double,
}
