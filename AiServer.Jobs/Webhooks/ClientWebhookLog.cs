using System.Text.Json.Nodes;
using AiServer.Jobs.Store;
using StackExchange.Redis;

namespace AiServer.Jobs.Webhooks;

/// <summary>A job's client webhook deliveries (the delivery log) and manual redelivery.</summary>
internal sealed class ClientWebhookLog(IConnectionMultiplexer redis, JobKeys keys, TimeProvider time)
{
    public async Task<IReadOnlyList<ClientWebhookDelivery>> ListAsync(string jobId)
    {
        var db = redis.GetDatabase();
        var ids = await db.ListRangeAsync(keys.JobDeliveries(jobId)).ConfigureAwait(false);
        var deliveries = new List<ClientWebhookDelivery>(ids.Length);
        foreach (var id in ids)
        {
            var fields = (await db.HashGetAllAsync(keys.Delivery(id.ToString())).ConfigureAwait(false)).ToDictionary(e => e.Name.ToString(), e => e.Value, StringComparer.Ordinal);
            if (fields.Count == 0)
            {
                continue;
            }

            deliveries.Add(new ClientWebhookDelivery
            {
                Id = id.ToString(),
                Event = (string)fields["event"]!,
                Url = (string)fields["url"]!,
                State = (string)fields["state"]!,
                Attempts = (int)fields.GetValueOrDefault("attempts", 0),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds((long)fields["created_at"]),
                DeliveredAt = fields.TryGetValue("delivered_at", out var d) ? DateTimeOffset.FromUnixTimeMilliseconds((long)d) : null,
                NextAttemptAt = fields.TryGetValue("next_attempt_at", out var n) ? DateTimeOffset.FromUnixTimeMilliseconds((long)n) : null,
                Log = fields.TryGetValue("log", out var log) && !log.IsNullOrEmpty ? JsonNode.Parse((string)log!)!.AsArray() : [],
            });
        }

        return deliveries;
    }

    /// <summary>Queues delivery <paramref name="deliveryId"/> of job <paramref name="jobId"/> again with fresh attempts; false: no such delivery.</summary>
    public async Task<bool> RedeliverAsync(string jobId, string deliveryId)
    {
        var db = redis.GetDatabase();
        var key = keys.Delivery(deliveryId);
        if ((string?)await db.HashGetAsync(key, "job").ConfigureAwait(false) != jobId)
        {
            return false;
        }

        var transaction = db.CreateTransaction();
        _ = transaction.HashSetAsync(key, [new("state", ClientWebhookDelivery.Pending), new("attempts", 0)]);
        _ = transaction.SortedSetAddAsync(keys.DeliveriesDue, deliveryId, time.GetUtcNow().ToUnixTimeMilliseconds());
        await transaction.ExecuteAsync().ConfigureAwait(false);
        return true;
    }
}
