using AiServer.ServiceDefaults.Redis;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.ServiceDefaults.Redis;

/// <summary>Every typed command against a real redis-server (the shared one; unique keys per test).</summary>
public sealed class RedisDatabaseTests(RedisServer server) : IAsyncLifetime
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
    public async Task PingAsync_Connected_ReturnsRoundTripTime()
    {
        TimeSpan latency = await _db.PingAsync(TestContext.Current.CancellationToken);

        Assert.True(latency > TimeSpan.Zero);
    }

    [Fact(Timeout = 30_000)]
    public async Task TimeAsync_Connected_ReturnsServerClock()
    {
        DateTimeOffset before = DateTimeOffset.UtcNow;

        DateTimeOffset time = await _db.TimeAsync(TestContext.Current.CancellationToken);

        // Same machine: the server's clock is the local clock (a sanity bound, not a speed assertion).
        Assert.InRange(time, before.AddMinutes(-1), before.AddMinutes(1));
    }

    [Fact(Timeout = 30_000)]
    public async Task StringSetAsync_ThenGet_ReturnsValue()
    {
        string key = RedisTestClient.Key("set");

        bool set = await _db.StringSetAsync(key, "hello", cancellationToken: TestContext.Current.CancellationToken);
        RedisValue value = await _db.StringGetAsync(key, TestContext.Current.CancellationToken);

        Assert.True(set);
        Assert.Equal("hello", (string?)value);
    }

    [Fact(Timeout = 30_000)]
    public async Task StringGetAsync_MissingKey_ReturnsNull()
    {
        RedisValue value = await _db.StringGetAsync(RedisTestClient.Key("missing"), TestContext.Current.CancellationToken);

        Assert.True(value.IsNull);
        Assert.Null((string?)value);
    }

    [Fact(Timeout = 30_000)]
    public async Task StringSetAsync_NotExistsOnExistingKey_ReturnsFalseAndKeepsValue()
    {
        string key = RedisTestClient.Key("nx");
        await _db.StringSetAsync(key, "first", cancellationToken: TestContext.Current.CancellationToken);

        bool second = await _db.StringSetAsync(key, "second", TimeSpan.FromSeconds(30), onlyIfNotExists: true, TestContext.Current.CancellationToken);
        bool fresh = await _db.StringSetAsync(RedisTestClient.Key("nx-new"), "x", TimeSpan.FromSeconds(30), onlyIfNotExists: true, TestContext.Current.CancellationToken);

        Assert.False(second);
        Assert.True(fresh);
        Assert.Equal("first", (await _db.StringGetAsync(key, TestContext.Current.CancellationToken)).ToString());
    }

    [Fact(Timeout = 30_000)]
    public async Task StringSetAsync_WithExpiry_SetsMillisecondTtl()
    {
        string key = RedisTestClient.Key("px");

        await _db.StringSetAsync(key, 42, TimeSpan.FromSeconds(60), cancellationToken: TestContext.Current.CancellationToken);
        long ttl = (await _db.ExecuteAsync("PTTL", key)).AsInt64();

        Assert.InRange(ttl, 1, 60_000);
        Assert.Equal(42L, (long)await _db.StringGetAsync(key, TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 30_000)]
    public async Task KeyDeleteAsync_ExistsAndExpire_BehaveLikeRedis()
    {
        string a = RedisTestClient.Key("del-a");
        string b = RedisTestClient.Key("del-b");
        await _db.StringSetAsync(a, "1", cancellationToken: TestContext.Current.CancellationToken);
        await _db.StringSetAsync(b, "2", cancellationToken: TestContext.Current.CancellationToken);

        bool exists = await _db.KeyExistsAsync(a, TestContext.Current.CancellationToken);
        bool expired = await _db.KeyExpireAsync(a, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        bool expireMissing = await _db.KeyExpireAsync(RedisTestClient.Key("none"), TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        long pttl = (await _db.ExecuteAsync("PTTL", a)).AsInt64();
        bool deletedOne = await _db.KeyDeleteAsync(a, TestContext.Current.CancellationToken);
        bool deletedAgain = await _db.KeyDeleteAsync(a, TestContext.Current.CancellationToken);
        long deletedMany = await _db.KeyDeleteAsync([b, RedisTestClient.Key("none")], TestContext.Current.CancellationToken);

        Assert.True(exists);
        Assert.True(expired);
        Assert.False(expireMissing);
        Assert.InRange(pttl, 1, 30_000);
        Assert.True(deletedOne);
        Assert.False(deletedAgain);
        Assert.Equal(1, deletedMany);
        Assert.False(await _db.KeyExistsAsync(b, TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 30_000)]
    public async Task StringIncrementAsync_RepeatedCalls_CountUp()
    {
        string key = RedisTestClient.Key("incr");

        long one = await _db.StringIncrementAsync(key, cancellationToken: TestContext.Current.CancellationToken);
        long eleven = await _db.StringIncrementAsync(key, 10, TestContext.Current.CancellationToken);

        Assert.Equal(1, one);
        Assert.Equal(11, eleven);
    }

    [Fact(Timeout = 30_000)]
    public async Task HashCommands_SetGetAllDelete_RoundTrip()
    {
        string key = RedisTestClient.Key("hash");

        bool isNew = await _db.HashSetAsync(key, "state", "OPEN", TestContext.Current.CancellationToken);
        bool isNewAgain = await _db.HashSetAsync(key, "state", "CLOSED", TestContext.Current.CancellationToken);
        long added = await _db.HashSetAsync(key, [new("version", 7), new("reason", "5 failures")], TestContext.Current.CancellationToken);
        RedisValue state = await _db.HashGetAsync(key, "state", TestContext.Current.CancellationToken);
        IReadOnlyDictionary<string, RedisValue> all = await _db.HashGetAllAsync(key, TestContext.Current.CancellationToken);
        bool deleted = await _db.HashDeleteAsync(key, "reason", TestContext.Current.CancellationToken);
        RedisValue missing = await _db.HashGetAsync(key, "reason", TestContext.Current.CancellationToken);
        IReadOnlyDictionary<string, RedisValue> none = await _db.HashGetAllAsync(RedisTestClient.Key("nohash"), TestContext.Current.CancellationToken);

        Assert.True(isNew);
        Assert.False(isNewAgain);
        Assert.Equal(2, added);
        Assert.Equal("CLOSED", state.ToString());
        Assert.Equal(3, all.Count);
        Assert.Equal(7L, (long)all["version"]);
        Assert.Equal("5 failures", all["reason"].ToString());
        Assert.True(deleted);
        Assert.True(missing.IsNull);
        Assert.Empty(none);
    }

    [Fact(Timeout = 30_000)]
    public async Task SetCommands_AddRemoveMembers_RoundTrip()
    {
        string key = RedisTestClient.Key("set");

        bool a = await _db.SetAddAsync(key, "a", TestContext.Current.CancellationToken);
        bool aAgain = await _db.SetAddAsync(key, "a", TestContext.Current.CancellationToken);
        await _db.SetAddAsync(key, "b", TestContext.Current.CancellationToken);
        await _db.SetAddAsync(key, "c", TestContext.Current.CancellationToken);
        bool removed = await _db.SetRemoveAsync(key, "b", TestContext.Current.CancellationToken);
        bool removedMissing = await _db.SetRemoveAsync(key, "zzz", TestContext.Current.CancellationToken);
        RedisValue[] members = await _db.SetMembersAsync(key, TestContext.Current.CancellationToken);

        Assert.True(a);
        Assert.False(aAgain);
        Assert.True(removed);
        Assert.False(removedMissing);
        Assert.Equal(["a", "c"], members.Select(m => m.ToString()).Order());
    }

    [Fact(Timeout = 30_000)]
    public async Task SortedSetCommands_AddRangeRemove_OrderByScore()
    {
        string key = RedisTestClient.Key("zset");

        bool added = await _db.SortedSetAddAsync(key, "late", 300.5, TestContext.Current.CancellationToken);
        await _db.SortedSetAddAsync(key, "early", 100, TestContext.Current.CancellationToken);
        await _db.SortedSetAddAsync(key, "middle", 200, TestContext.Current.CancellationToken);
        bool updated = await _db.SortedSetAddAsync(key, "early", 50, TestContext.Current.CancellationToken);
        RedisValue[] all = await _db.SortedSetRangeByScoreAsync(key, cancellationToken: TestContext.Current.CancellationToken);
        RedisValue[] bounded = await _db.SortedSetRangeByScoreAsync(key, 100, 300.5, cancellationToken: TestContext.Current.CancellationToken);
        RedisValue[] page = await _db.SortedSetRangeByScoreAsync(key, skip: 1, take: 1, cancellationToken: TestContext.Current.CancellationToken);
        bool removed = await _db.SortedSetRemoveAsync(key, "middle", TestContext.Current.CancellationToken);
        RedisValue[] after = await _db.SortedSetRangeByScoreAsync(key, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(added);
        Assert.False(updated);
        Assert.Equal(["early", "middle", "late"], all.Select(v => v.ToString()));
        Assert.Equal(["middle", "late"], bounded.Select(v => v.ToString()));
        Assert.Equal(["middle"], page.Select(v => v.ToString()));
        Assert.True(removed);
        Assert.Equal(["early", "late"], after.Select(v => v.ToString()));
    }

    [Fact(Timeout = 30_000)]
    public async Task KeyScanAsync_MoreKeysThanOnePage_ReturnsEveryMatch()
    {
        string prefix = RedisTestClient.Key("scan");
        for (int i = 0; i < 300; i++)
        {
            await _db.StringSetAsync($"{prefix}:{i}", i, cancellationToken: TestContext.Current.CancellationToken);
        }

        var found = new HashSet<string>();
        await foreach (string key in _db.KeyScanAsync(prefix + ":*", pageSize: 50, TestContext.Current.CancellationToken))
        {
            found.Add(key);
        }

        Assert.Equal(300, found.Count);
        Assert.Contains($"{prefix}:299", found);
    }

    [Fact(Timeout = 30_000)]
    public async Task ExecuteAsync_ClientGetName_ReturnsNameSetAtConnect()
    {
        RedisResult name = await _db.ExecuteAsync("CLIENT GETNAME");

        Assert.Equal("aiserver-tests", name.ToString());
    }

    [Fact(Timeout = 30_000)]
    public async Task ExecuteAsync_NestedReply_ReturnsTree()
    {
        string key = RedisTestClient.Key("list");
        await _db.ExecuteAsync("RPUSH", key, "a", "b", 3);

        RedisResult list = await _db.ExecuteAsync("LRANGE", key, 0, -1);

        Assert.Equal(RedisResultType.Array, list.Type);
        Assert.Equal(["a", "b", "3"], list.AsValues().Select(v => v.ToString()));
    }

    [Fact(Timeout = 30_000)]
    public async Task ExecuteAsync_ConnectionStateCommand_IsRefused()
    {
        NotSupportedException error = Assert.Throws<NotSupportedException>(() => _db.ExecuteAsync("SELECT", 2));

        Assert.Contains("defaultDatabase", error.Message, StringComparison.Ordinal);
        Assert.Equal("PONG", (await _db.ExecuteAsync("PING")).ToString());
    }

    [Fact(Timeout = 30_000)]
    public async Task ExecuteAsync_WrongType_ThrowsServerExceptionWithRedisMessage()
    {
        string key = RedisTestClient.Key("wrongtype");
        await _db.SetAddAsync(key, "member", TestContext.Current.CancellationToken);

        RedisServerException error = await Assert.ThrowsAsync<RedisServerException>(async () => await _db.StringGetAsync(key, TestContext.Current.CancellationToken));

        Assert.Equal("WRONGTYPE", error.ErrorCode);
        Assert.StartsWith("WRONGTYPE Operation against a key holding the wrong kind of value", error.Message, StringComparison.Ordinal);
        Assert.Equal("still-works", (await _db.ExecuteAsync("ECHO", "still-works")).ToString());
    }

    [Fact(Timeout = 30_000)]
    public async Task ConnectionString_DefaultDatabase_SelectsIt()
    {
        await using RedisClient db3 = await RedisTestClient.ConnectAsync(server.ConnectionString + ",defaultDatabase=3");
        string key = RedisTestClient.Key("db3");

        await db3.GetDatabase().StringSetAsync(key, "in-3", cancellationToken: TestContext.Current.CancellationToken);
        RedisResult info = await db3.GetDatabase().ExecuteAsync("CLIENT", "INFO");

        Assert.Contains(" db=3 ", info.ToString(), StringComparison.Ordinal);
        Assert.True((await _db.StringGetAsync(key, TestContext.Current.CancellationToken)).IsNull);
        Assert.Equal("in-3", (await db3.GetDatabase().StringGetAsync(key, TestContext.Current.CancellationToken)).ToString());
    }

    [Fact(Timeout = 30_000)]
    public async Task StringSetAsync_CanceledToken_ThrowsWithoutSending()
    {
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await _db.StringSetAsync(RedisTestClient.Key("c"), "x", cancellationToken: canceled.Token));

        Assert.Equal(0, _client.GetStatus().InFlight);
    }
}
