using System.ComponentModel.DataAnnotations;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// Options of the Redis client, section <c>Redis</c>. The server itself comes from the Aspire connection string
/// <c>ConnectionStrings:redis</c> (<c>host:port[,password=...][,user=...][,ssl=true][,defaultDatabase=N][,connectTimeout=ms][,syncTimeout=ms]</c>).
/// </summary>
public sealed class RedisOptions
{
    /// <summary>The configuration section: <c>Redis</c>.</summary>
    public const string SectionName = "Redis";

    /// <summary>The default key prefix, <c>aiserver:</c>.</summary>
    public const string DefaultKeyPrefix = "aiserver:";

    /// <summary>
    /// <c>Redis:KeyPrefix</c>: prefix of every key AiServer writes, so deployments can share a Redis (default
    /// <c>aiserver:</c>). Components build their keys from it, e.g. <c>{KeyPrefix}cb:{name}</c>.
    /// </summary>
    [Required(AllowEmptyStrings = true, ErrorMessage = "Redis:KeyPrefix must not be null.")]
    [RegularExpression(@"^[^\s]{0,64}$", ErrorMessage = "Redis:KeyPrefix must be at most 64 characters without whitespace.")]
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary><c>Redis:ReconnectMinDelay</c>: first delay before reconnecting after a lost connection (default 100 ms).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00", ParseLimitsInInvariantCulture = true, ErrorMessage = "Redis:ReconnectMinDelay must be between 1 ms and 1 minute.")]
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary><c>Redis:ReconnectMaxDelay</c>: cap of the exponential reconnect backoff (default 10 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00", ParseLimitsInInvariantCulture = true, ErrorMessage = "Redis:ReconnectMaxDelay must be between 1 ms and 10 minutes.")]
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The connection string, taken from <c>ConnectionStrings:{name}</c> by
    /// <see cref="RedisClientExtensions.AddRedisClient"/> (it wins over <c>Redis:ConnectionString</c>).
    /// </summary>
    public string? ConnectionString { get; set; }
}
