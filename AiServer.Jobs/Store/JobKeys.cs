using AiServer.ServiceDefaults.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiServer.Jobs.Store;

/// <summary>
/// The job keys, all under <c>{prefix}{jobs}:</c>. They share the <c>{jobs}</c> hash tag, so a script or transaction
/// may touch a record, its events, the owner index and a stream together on Redis Cluster too (the price: all job keys
/// live on one shard; the breakers' keys spread over the others).
/// </summary>
internal sealed class JobKeys(IOptions<RedisOptions> redis)
{
    /// <summary>The consumer group of every job stream (KEDA's Redis Streams scaler names it too).</summary>
    public const string Group = "workers";

    private readonly string _root = redis.Value.KeyPrefix + "{jobs}:";

    public RedisKey Job(string id) => _root + "job:" + id;

    public RedisKey Events(string id) => _root + "events:" + id;

    public RedisKey Stream(string kind) => _root + "stream:" + kind;

    public RedisKey DeadLetters(string kind) => _root + "dead:" + kind;

    public RedisKey Owner(string owner) => _root + "owner:" + owner;

    public RedisKey Idempotency(string owner, string keyHash) => _root + "idem:" + owner + ":" + keyHash;

    /// <summary>Where every change of a job is announced (<c>kind|id|status</c>): waiters and idle workers wake on it.</summary>
    public RedisChannel Changes { get; } = RedisChannel.Literal(redis.Value.KeyPrefix + "jobs:changed");
}
