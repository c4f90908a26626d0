namespace AiServer.ServiceDefaults.Redis;

/// <summary>The RESP type of a <see cref="RedisResult"/>.</summary>
public enum RedisResultType
{
    /// <summary>A null bulk string or null array.</summary>
    Null = 0,

    /// <summary>A simple status string such as <c>OK</c>.</summary>
    SimpleString,

    /// <summary>An error (only inside arrays; a top-level error throws <see cref="RedisServerException"/>).</summary>
    Error,

    /// <summary>A 64-bit integer.</summary>
    Integer,

    /// <summary>A binary-safe bulk string.</summary>
    BulkString,

    /// <summary>An array of results.</summary>
    Array,
}
