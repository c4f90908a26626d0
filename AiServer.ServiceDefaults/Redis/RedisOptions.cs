using System.ComponentModel.DataAnnotations;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// AiServer's own Redis settings, section <c>Redis</c>. The server comes from the Aspire connection string
/// <c>ConnectionStrings:redis</c>, parsed by StackExchange.Redis (<c>host:port[,host:port...][,user=...][,password=...][,ssl=true][,sslHost=...]</c>);
/// any other StackExchange.Redis option can be set under <c>Aspire:StackExchange:Redis:ConfigurationOptions</c>.
/// </summary>
public sealed class RedisOptions
{
    /// <summary>The configuration section: <c>Redis</c>.</summary>
    public const string SectionName = "Redis";

    /// <summary>The default key prefix, <c>aiserver:</c>.</summary>
    public const string DefaultKeyPrefix = "aiserver:";

    /// <summary>
    /// <c>Redis:KeyPrefix</c>: prefix of every key AiServer writes, so deployments can share a Redis (default
    /// <c>aiserver:</c>). Components build their keys from it, e.g. <c>{KeyPrefix}{cb:NAME}</c>. It must not contain
    /// braces: the keys carry their own Redis Cluster hash tags.
    /// </summary>
    [Required(AllowEmptyStrings = true, ErrorMessage = "Redis:KeyPrefix must not be null.")]
    [RegularExpression(@"^[^\s{}]{0,64}$", ErrorMessage = "Redis:KeyPrefix must be at most 64 characters without whitespace or braces.")]
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary><c>Redis:ReconnectMinDelay</c>: first delay before reconnecting after a lost connection (default 100 ms).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00", ParseLimitsInInvariantCulture = true, ErrorMessage = "Redis:ReconnectMinDelay must be between 1 ms and 1 minute.")]
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary><c>Redis:ReconnectMaxDelay</c>: cap of the exponential reconnect backoff (default 5 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00", ParseLimitsInInvariantCulture = true, ErrorMessage = "Redis:ReconnectMaxDelay must be between 1 ms and 10 minutes.")]
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <c>Redis:CaCertificatePath</c>: a PEM file with the CA that issued the server's TLS certificate, for a Redis whose
    /// certificate no system CA vouches for (self-hosted, a private CA). Unset (the default): the system's trust store.
    /// </summary>
    public string? CaCertificatePath { get; set; }
}
