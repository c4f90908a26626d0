using System.Globalization;
using StackExchange.Redis;

namespace AiServer.Jobs.Store;

/// <summary>
/// The streams of the job kinds, read through the consumer group <see cref="JobKeys.Group"/>: new messages, messages a
/// dead worker left behind (<c>XAUTOCLAIM</c> after the visibility timeout), renewal of messages in work, and the
/// endings (acknowledge and delete, dead-letter, hand back).
/// </summary>
internal sealed class JobQueue(IConnectionMultiplexer redis, JobKeys keys, TimeProvider time)
{
    private const int MaxDeadLetters = 10_000;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>Creates the stream and its consumer group when missing (from the start of the stream, so nothing queued before is skipped).</summary>
    public async Task EnsureGroupAsync(string kind)
    {
        try
        {
            await Db.StreamCreateConsumerGroupAsync(keys.Stream(kind), JobKeys.Group, "0", createStream: true).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // exists already
        }
    }

    /// <summary>Messages nobody has read yet.</summary>
    public async Task<IReadOnlyList<QueueMessage>> ReadNewAsync(string kind, string consumer, int count)
    {
        var entries = await Db.StreamReadGroupAsync(keys.Stream(kind), JobKeys.Group, consumer, ">", count).ConfigureAwait(false);
        return [.. entries.Select(e => ToMessage(kind, e))];
    }

    /// <summary>Messages idle for <paramref name="visibility"/> (their worker died), now this consumer's, with their delivery count.</summary>
    public async Task<IReadOnlyList<(QueueMessage Message, long Deliveries)>> ReclaimAsync(string kind, string consumer, TimeSpan visibility, int count)
    {
        var key = keys.Stream(kind);
        var claimed = await Db.StreamAutoClaimAsync(key, JobKeys.Group, consumer, (long)visibility.TotalMilliseconds, "0-0", count).ConfigureAwait(false);
        if (claimed.ClaimedEntries.Length == 0)
        {
            return [];
        }

        var pending = await Db.StreamPendingMessagesAsync(key, JobKeys.Group, claimed.ClaimedEntries.Length, consumer, claimed.ClaimedEntries[0].Id, claimed.ClaimedEntries[^1].Id).ConfigureAwait(false);
        var deliveries = pending.ToDictionary(p => p.MessageId.ToString(), p => (long)p.DeliveryCount);
        return [.. claimed.ClaimedEntries.Select(e => (ToMessage(kind, e), deliveries.GetValueOrDefault(e.Id.ToString(), 1)))];
    }

    /// <summary>Keeps messages this consumer works on from being reclaimed (resets their idle time; the delivery count stays).</summary>
    public Task RenewAsync(string kind, string consumer, IReadOnlyList<string> messageIds) =>
        messageIds.Count == 0
            ? Task.CompletedTask
            : Db.StreamClaimIdsOnlyAsync(keys.Stream(kind), JobKeys.Group, consumer, 0, [.. messageIds.Select(i => (RedisValue)i)]);

    /// <summary>Adds "acknowledge and delete the message" to a transaction (the job ended; the stream keeps only open work).</summary>
    public void Complete(ITransaction transaction, QueueMessage message)
    {
        _ = transaction.StreamAcknowledgeAsync(keys.Stream(message.Kind), JobKeys.Group, message.MessageId);
        _ = transaction.StreamDeleteAsync(keys.Stream(message.Kind), [message.MessageId]);
    }

    /// <summary>Acknowledges and deletes a message on its own (its job ended elsewhere, or is gone).</summary>
    public async Task CompleteAloneAsync(QueueMessage message)
    {
        var transaction = Db.CreateTransaction();
        Complete(transaction, message);
        await transaction.ExecuteAsync().ConfigureAwait(false);
    }

    /// <summary>Adds "complete and append to the kind's dead letters" to a transaction.</summary>
    public void DeadLetter(ITransaction transaction, QueueMessage message, string error)
    {
        Complete(transaction, message);
        _ = transaction.StreamAddAsync(
            keys.DeadLetters(message.Kind),
            [new("job", message.JobId), new("error", error), new("at", time.GetUtcNow().ToUnixTimeMilliseconds())],
            maxLength: MaxDeadLetters,
            useApproximateMaxLength: true);
    }

    /// <summary>Gives a message back to the group as a new message (a draining worker's unfinished job), atomically.</summary>
    public async Task HandBackAsync(QueueMessage message)
    {
        var transaction = Db.CreateTransaction();
        Complete(transaction, message);
        _ = transaction.StreamAddAsync(keys.Stream(message.Kind), Fields(message.JobId, message.TraceParent, message.TraceState));
        await transaction.ExecuteAsync().ConfigureAwait(false);
    }

    /// <summary>Adds "queue the job again" to a transaction (a requeued dead letter).</summary>
    public void Enqueue(ITransaction transaction, string kind, string jobId) =>
        _ = transaction.StreamAddAsync(keys.Stream(kind), Fields(jobId, null, null));

    /// <summary>The newest dead letters of a kind, newest first.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string kind, int count)
    {
        var entries = await Db.StreamRangeAsync(keys.DeadLetters(kind), "-", "+", count, Order.Descending).ConfigureAwait(false);
        return [.. entries.Select(e => ToDeadLetter(kind, e))];
    }

    /// <summary>One dead letter by its entry id, or null.</summary>
    public async Task<DeadLetter?> GetDeadLetterAsync(string kind, string entryId)
    {
        var entries = await Db.StreamRangeAsync(keys.DeadLetters(kind), entryId, entryId, 1).ConfigureAwait(false);
        return entries.Length == 0 ? null : ToDeadLetter(kind, entries[0]);
    }

    /// <summary>Adds "remove the dead letter" to a transaction.</summary>
    public void RemoveDeadLetter(ITransaction transaction, string kind, string entryId) =>
        _ = transaction.StreamDeleteAsync(keys.DeadLetters(kind), [entryId]);

    /// <summary>Open work of a kind (queued or in work: finished messages are deleted), the oldest message's age, and the dead letters.</summary>
    public async Task<(long Depth, double OldestAgeSeconds, long DeadLetters)> MeasureAsync(string kind)
    {
        var batch = Db.CreateBatch();
        var depth = batch.StreamLengthAsync(keys.Stream(kind));
        var oldest = batch.StreamRangeAsync(keys.Stream(kind), "-", "+", 1);
        var dead = batch.StreamLengthAsync(keys.DeadLetters(kind));
        batch.Execute();
        var first = await oldest.ConfigureAwait(false);
        var age = 0.0;
        if (first.Length == 1 && first[0].Id.ToString().Split('-')[0] is var ms && long.TryParse(ms, NumberStyles.Integer, CultureInfo.InvariantCulture, out var millis))
        {
            age = Math.Max(0, (time.GetUtcNow().ToUnixTimeMilliseconds() - millis) / 1000.0);
        }

        return (await depth.ConfigureAwait(false), age, await dead.ConfigureAwait(false));
    }

    private static DeadLetter ToDeadLetter(string kind, StreamEntry entry) => new(
        entry.Id!,
        kind,
        entry["job"]!,
        entry["error"].ToString(),
        DateTimeOffset.FromUnixTimeMilliseconds(long.TryParse(entry["at"].ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var at) ? at : 0));

    private static NameValueEntry[] Fields(string jobId, string? traceParent, string? traceState) =>
        [new("job", jobId), new("traceparent", traceParent ?? string.Empty), new("tracestate", traceState ?? string.Empty)];

    private static QueueMessage ToMessage(string kind, StreamEntry entry) =>
        new(kind, entry.Id!, entry["job"]!, NullIfEmpty(entry["traceparent"]), NullIfEmpty(entry["tracestate"]));

    private static string? NullIfEmpty(RedisValue value) => value.IsNullOrEmpty ? null : value.ToString();
}
