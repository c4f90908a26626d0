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

    /// <summary>The Supabase outbox: one entry per change of any job (<c>job</c>, <c>version</c>, <c>data</c>), deleted once relayed.</summary>
    public RedisKey Outbox => _root + "outbox";

    /// <summary>The relay's lease: only its holder relays, so the rows of a job are written in order.</summary>
    public RedisKey OutboxLease => _root + "outbox:lease";

    /// <summary>The furthest provider state a verified webhook reported for a job (hash: <c>rank</c>, <c>body</c>, <c>provider</c>).</summary>
    public RedisKey Push(string id) => _root + "push:" + id;

    /// <summary>A provider webhook already accepted (de-duplication by its id, or by a hash of the body where it has none).</summary>
    public RedisKey WebhookSeen(string provider, string webhookId) => _root + "hookseen:" + provider + ":" + webhookId;

    /// <summary>Set (with a TTL) while verified webhooks of a provider arrive: its jobs are then polled slowly.</summary>
    public RedisKey WebhooksFlowing(string provider) => _root + "hooksflowing:" + provider;

    /// <summary>Client webhook deliveries due (sorted set: score = due time in Unix ms, member = delivery id).</summary>
    public RedisKey DeliveriesDue => _root + "deliveries:due";

    /// <summary>One client webhook delivery (hash: job, owner, event, url, payload, attempts, state).</summary>
    public RedisKey Delivery(string deliveryId) => _root + "delivery:" + deliveryId;

    /// <summary>A job's deliveries, in order of creation (list of delivery ids).</summary>
    public RedisKey JobDeliveries(string id) => _root + "deliveries:" + id;

    /// <summary>An API key's webhook signing secrets (hash: <c>current</c>, <c>previous</c>, <c>previous_until</c>).</summary>
    public RedisKey WebhookSecret(string owner) => _root + "whsecret:" + owner;

    /// <summary>Where every change of a job is announced (<c>kind|id|status</c>): waiters and idle workers wake on it.</summary>
    public RedisChannel Changes { get; } = RedisChannel.Literal(redis.Value.KeyPrefix + "jobs:changed");
}
