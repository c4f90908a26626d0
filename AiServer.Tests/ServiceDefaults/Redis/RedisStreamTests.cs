using AiServer.ServiceDefaults.Redis;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.ServiceDefaults.Redis;

/// <summary>Streams with consumer groups: the job-queue flow of the roadmap.</summary>
public sealed class RedisStreamTests(RedisServer server) : IAsyncLifetime
{
    private RedisClient _client = null!;
    private IRedisDatabase _db = null!;

    public async ValueTask InitializeAsync()
    {
        _client = await RedisTestClient.ConnectAsync(server.ConnectionString);
        _db = _client.GetDatabase();
    }

    public async ValueTask DisposeAsync() => await _client.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task ConsumerGroup_DeadConsumer_ItsMessageIsAutoClaimedAndAcknowledged()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string stream = RedisTestClient.Key("jobs");
        const string group = "workers";

        // Arrange: a group, three jobs, consumer A takes two and acknowledges only the first, then "dies".
        bool created = await _db.StreamCreateConsumerGroupAsync(stream, group, "$", createStream: true, ct);
        bool createdAgain = await _db.StreamCreateConsumerGroupAsync(stream, group, "$", createStream: true, ct);
        string id1 = await _db.StreamAddAsync(stream, [new("kind", "speech"), new("n", 1)], maxLength: 1000, cancellationToken: ct);
        string id2 = await _db.StreamAddAsync(stream, [new("kind", "lip-sync"), new("n", 2)], maxLength: 1000, approximateMaxLength: false, cancellationToken: ct);
        string id3 = await _db.StreamAddAsync(stream, [new("kind", "caption"), new("n", 3)], cancellationToken: ct);
        RedisStreamEntry[] readByA = await _db.StreamReadGroupAsync(stream, group, "consumer-a", count: 2, cancellationToken: ct);
        long acked = await _db.StreamAcknowledgeAsync(stream, group, [readByA[0].Id], ct);
        await Wait.UntilAsync(
            async () => (await _db.StreamPendingMessagesAsync(stream, group, 10, minIdleTime: TimeSpan.FromMilliseconds(50), cancellationToken: ct)).Length == 1,
            TimeSpan.FromSeconds(10),
            "consumer A's unacknowledged message to be idle for 50 ms");

        // Act: consumer B reclaims what A left pending, processes and acknowledges it.
        RedisStreamAutoClaimResult claim = await _db.StreamAutoClaimAsync(stream, group, "consumer-b", TimeSpan.FromMilliseconds(50), count: 10, cancellationToken: ct);
        RedisStreamPendingMessage[] pendingAfterClaim = await _db.StreamPendingMessagesAsync(stream, group, 10, cancellationToken: ct);
        RedisStreamEntry[] readByB = await _db.StreamReadGroupAsync(stream, group, "consumer-b", cancellationToken: ct);
        long ackedByB = await _db.StreamAcknowledgeAsync(stream, group, [claim.ClaimedEntries[0].Id, readByB[0].Id], ct);
        RedisStreamPendingMessage[] pendingAtEnd = await _db.StreamPendingMessagesAsync(stream, group, 10, cancellationToken: ct);
        long length = await _db.StreamLengthAsync(stream, ct);
        long deleted = await _db.StreamDeleteAsync(stream, [id1, "1-1"], ct);

        // Assert
        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal([id1, id2], readByA.Select(e => e.Id));
        Assert.Equal("speech", readByA[0]["kind"].ToString());
        Assert.Equal(2L, (long)readByA[1]["n"]);
        Assert.Equal(1, acked);
        Assert.Equal("0-0", claim.NextStartId);
        Assert.Equal(id2, Assert.Single(claim.ClaimedEntries).Id);
        Assert.Equal("lip-sync", claim.ClaimedEntries[0]["kind"].ToString());
        Assert.Empty(claim.DeletedIds);
        RedisStreamPendingMessage pending = Assert.Single(pendingAfterClaim);
        Assert.Equal("consumer-b", pending.ConsumerName);
        Assert.Equal(2, pending.DeliveryCount);
        Assert.Equal(id3, Assert.Single(readByB).Id);
        Assert.Equal(2, ackedByB);
        Assert.Empty(pendingAtEnd);
        Assert.Equal(3, length);
        Assert.Equal(1, deleted);
        Assert.Equal(2, await _db.StreamLengthAsync(stream, ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task StreamAutoClaimAsync_PendingMessageDeleted_ReportsDeletedId()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string stream = RedisTestClient.Key("deleted");
        await _db.StreamCreateConsumerGroupAsync(stream, "g", "0", cancellationToken: ct);
        string id = await _db.StreamAddAsync(stream, [new("a", 1)], cancellationToken: ct);
        await _db.StreamReadGroupAsync(stream, "g", "dead", cancellationToken: ct);
        await _db.StreamDeleteAsync(stream, [id], ct);
        await Wait.UntilAsync(
            async () => (await _db.StreamPendingMessagesAsync(stream, "g", 10, minIdleTime: TimeSpan.FromMilliseconds(5), cancellationToken: ct)).Length == 1,
            TimeSpan.FromSeconds(10),
            "the dead consumer's pending entry to be idle for 5 ms");

        RedisStreamAutoClaimResult claim = await _db.StreamAutoClaimAsync(stream, "g", "alive", TimeSpan.FromMilliseconds(5), cancellationToken: ct);

        Assert.Empty(claim.ClaimedEntries);
        Assert.Equal([id], claim.DeletedIds);
    }

    [Fact(Timeout = 30_000)]
    public async Task StreamReadGroupAsync_Blocking_RunsOnItsOwnConnectionAndWakesOnAdd()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string stream = RedisTestClient.Key("blocking");
        await _db.StreamCreateConsumerGroupAsync(stream, "g", "$", cancellationToken: ct);

        Task<RedisStreamEntry[]> blocked = _db.StreamReadGroupAsync(stream, "g", "c", block: TimeSpan.FromSeconds(20), cancellationToken: ct).AsTask();
        await Wait.UntilAsync(
            async () => (await _db.ExecuteAsync("CLIENT", "LIST")).ToString().Contains("cmd=xreadgroup", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "the XREADGROUP BLOCK to be blocked in Redis");
        // The shared connection keeps serving while the read is blocked.
        TimeSpan ping = await _db.PingAsync(ct);
        bool blockedBeforeAdd = !blocked.IsCompleted;
        string id = await _db.StreamAddAsync(stream, [new("job", "x")], cancellationToken: ct);
        RedisStreamEntry[] entries = await Wait.ForAsync(blocked, TimeSpan.FromSeconds(10), "the blocked read to return the new message");

        Assert.True(ping > TimeSpan.Zero);
        Assert.True(blockedBeforeAdd);
        Assert.Equal(id, Assert.Single(entries).Id);
    }

    [Fact(Timeout = 30_000)]
    public async Task StreamReadGroupAsync_BlockExpiresWithoutMessages_ReturnsEmpty()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string stream = RedisTestClient.Key("empty");
        await _db.StreamCreateConsumerGroupAsync(stream, "g", "$", cancellationToken: ct);

        RedisStreamEntry[] entries = await _db.StreamReadGroupAsync(stream, "g", "c", count: 10, block: TimeSpan.FromMilliseconds(50), cancellationToken: ct);

        Assert.Empty(entries);
    }

    [Fact(Timeout = 30_000)]
    public async Task StreamReadGroupAsync_BlockingReadCanceled_ThrowsAndLaterReadsWork()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string stream = RedisTestClient.Key("cancel");
        await _db.StreamCreateConsumerGroupAsync(stream, "g", "$", cancellationToken: ct);
        using var cancel = new CancellationTokenSource();

        Task<RedisStreamEntry[]> blocked = _db.StreamReadGroupAsync(stream, "g", "c", block: TimeSpan.FromSeconds(30), cancellationToken: cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);
        string id = await _db.StreamAddAsync(stream, [new("after", 1)], cancellationToken: ct);
        RedisStreamEntry[] entries = await _db.StreamReadGroupAsync(stream, "g", "c", block: TimeSpan.FromSeconds(5), cancellationToken: ct);

        Assert.Equal(id, Assert.Single(entries).Id);
    }
}
