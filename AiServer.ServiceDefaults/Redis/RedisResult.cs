namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// A Redis reply of any shape: what scripts and <see cref="IRedisDatabase.ExecuteAsync(string, RedisValue[])"/> return.
/// </summary>
public sealed class RedisResult
{
    private static readonly RedisResult[] NoItems = [];

    internal RedisResult(RedisResultType type, RedisValue value, RedisResult[]? items)
    {
        Type = type;
        Value = value;
        Items = items ?? NoItems;
    }

    /// <summary>The RESP type of the reply.</summary>
    public RedisResultType Type { get; }

    /// <summary>Whether the reply was a null bulk string or null array.</summary>
    public bool IsNull => Type == RedisResultType.Null;

    /// <summary>The scalar value (text, bytes, integer or error message); <see cref="RedisValue.Null"/> for arrays and nulls.</summary>
    public RedisValue Value { get; }

    /// <summary>The elements of an array reply; empty for scalars.</summary>
    public IReadOnlyList<RedisResult> Items { get; }

    /// <summary>The reply as an integer (integer replies and numeric strings).</summary>
    /// <returns>The integer.</returns>
    public long AsInt64() => (long)Value;

    /// <summary>The elements of an array reply as values.</summary>
    /// <returns>One value per element.</returns>
    public RedisValue[] AsValues()
    {
        var values = new RedisValue[Items.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Items[i].Value;
        }

        return values;
    }

    /// <summary>The scalar as text; empty for nulls; arrays as their elements in brackets (for diagnostics).</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        Type == RedisResultType.Array ? "[" + string.Join(", ", Items) + "]" : Value.ToString();
}
