using System.Globalization;
using System.Text.Json.Nodes;
using AiServer.Jobs.Store;
using StackExchange.Redis;

namespace AiServer.Jobs.Webhooks;

/// <summary>
/// The client webhook events (<c>job.started</c>, <c>job.succeeded</c>, <c>job.failed</c>, <c>job.canceled</c>) and how
/// a job's change queues one: in the same transaction as the change, so an event is queued exactly when its change commits.
/// </summary>
internal static class ClientWebhookEvents
{
    public const string Started = "job.started";
    public const string Succeeded = "job.succeeded";
    public const string Failed = "job.failed";
    public const string Canceled = "job.canceled";

    /// <summary>The job input's field naming the client's webhook URL.</summary>
    public const string UrlField = "webhook";

    /// <summary>The job input's field listing the events wanted (all when absent).</summary>
    public const string FilterField = "webhook_events_filter";

    public static readonly string[] All = [Started, Succeeded, Failed, Canceled];

    /// <summary>The event <paramref name="next"/> is, coming from <paramref name="previous"/> (null: none).</summary>
    public static string? EventFor(JobRecord previous, JobRecord next)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        if (previous.Status == next.Status && previous.StartedAt == next.StartedAt)
        {
            return null;
        }

        return next.Status switch
        {
            JobStatus.Succeeded => Succeeded,
            JobStatus.Failed => Failed,
            JobStatus.Canceled => Canceled,
            JobStatus.Running when previous.StartedAt is null && next.StartedAt is not null => Started,
            _ => null,
        };
    }

    /// <summary>The URL the job names, or null.</summary>
    public static string? UrlOf(JobRecord job) =>
        job.Input[UrlField] is JsonValue v && v.TryGetValue<string>(out var url) && url.Length > 0 ? url : null;

    /// <summary>Whether the job's filter lets <paramref name="type"/> through (no filter: every event).</summary>
    public static bool Wants(JobRecord job, string type) =>
        job.Input[FilterField] is not JsonArray filter || filter.Any(e => e is JsonValue v && v.TryGetValue<string>(out var s) && s == type);

    /// <summary>
    /// Adds to <paramref name="transaction"/> the delivery of the event the change makes, if the job wants it: the
    /// delivery record (payload: the job as it is after the change), its place in the job's delivery log and in the due set.
    /// </summary>
    public static void Enqueue(ITransaction transaction, JobKeys keys, JobRecord previous, JobRecord next, string data, TimeSpan retention, DateTimeOffset now)
    {
        if (UrlOf(next) is not { } url || EventFor(previous, next) is not { } type || !Wants(next, type))
        {
            return;
        }

        var deliveryId = DeliveryId(next.Id, next.Version);
        var key = keys.Delivery(deliveryId);
        _ = transaction.HashSetAsync(key,
        [
            new("job", next.Id), new("owner", next.Owner), new("event", type), new("url", url), new("data", data),
            new("created_at", now.ToUnixTimeMilliseconds()), new("attempts", 0), new("state", ClientWebhookDelivery.Pending),
        ]);
        _ = transaction.KeyExpireAsync(key, retention);
        _ = transaction.ListRightPushAsync(keys.JobDeliveries(next.Id), deliveryId);
        _ = transaction.KeyExpireAsync(keys.JobDeliveries(next.Id), retention);
        _ = transaction.SortedSetAddAsync(keys.DeliveriesDue, deliveryId, now.ToUnixTimeMilliseconds());
    }

    /// <summary>A delivery's id: the job id and the version of the change (unique, and stable across retries).</summary>
    public static string DeliveryId(string jobId, long version) => jobId + "." + version.ToString(CultureInfo.InvariantCulture);
}
