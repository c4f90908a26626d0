namespace AiServer.ServiceDefaults.Redis;

/// <summary>One stream message: its id and its field/value pairs in the order they were added.</summary>
/// <param name="Id">The message id, e.g. <c>1700000000000-0</c>.</param>
/// <param name="Values">The field/value pairs.</param>
public sealed record RedisStreamEntry(string Id, IReadOnlyList<KeyValuePair<string, RedisValue>> Values)
{
    /// <summary>The value of a field, or <see cref="RedisValue.Null"/> when the message has no such field.</summary>
    /// <param name="field">The field name.</param>
    public RedisValue this[string field]
    {
        get
        {
            foreach (KeyValuePair<string, RedisValue> pair in Values)
            {
                if (string.Equals(pair.Key, field, StringComparison.Ordinal))
                {
                    return pair.Value;
                }
            }

            return RedisValue.Null;
        }
    }
}
