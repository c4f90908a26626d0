using System.Text;
using AiServer.ServiceDefaults.Redis;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.ServiceDefaults.Redis;

/// <summary>Binary safety, large values and many concurrent callers on the one multiplexed connection.</summary>
public sealed class RedisPipeliningTests(RedisServer server) : IAsyncLifetime
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
    public async Task StringSetAsync_EveryByteValue_RoundTripsExactly()
    {
        string key = RedisTestClient.Key("binary");
        byte[] value = Enumerable.Range(0, 256).Select(i => (byte)i).Concat("\r\n$-1\r\n*3\r\n"u8.ToArray()).ToArray();

        await _db.StringSetAsync(key, value, cancellationToken: TestContext.Current.CancellationToken);
        byte[]? read = (byte[]?)await _db.StringGetAsync(key, TestContext.Current.CancellationToken);

        Assert.Equal(value, read);
    }

    [Fact(Timeout = 30_000)]
    public async Task StringSetAsync_BinaryKeyAndUnicode_RoundTrip()
    {
        string key = RedisTestClient.Key("ключ-🔑");
        const string text = "значение — 値 — 🚀";

        await _db.StringSetAsync(key, text, cancellationToken: TestContext.Current.CancellationToken);
        RedisValue read = await _db.StringGetAsync(key, TestContext.Current.CancellationToken);

        Assert.Equal(text, read.ToString());
        Assert.Equal(Encoding.UTF8.GetBytes(text), read.ToArray());
    }

    [Fact(Timeout = 60_000)]
    public async Task StringSetAsync_NineMegabyteValues_RoundTripWhileSmallCommandsInterleave()
    {
        string key = RedisTestClient.Key("large");
        string textKey = RedisTestClient.Key("large-text");
        byte[] value = new byte[9 * 1024 * 1024];
        new Random(1234).NextBytes(value);
        string text = new('x', 8 * 1024 * 1024 + 17);

        Task<bool> setLarge = _db.StringSetAsync(key, value, cancellationToken: TestContext.Current.CancellationToken).AsTask();
        Task<TimeSpan>[] pings = Enumerable.Range(0, 100).Select(_ => _db.PingAsync(TestContext.Current.CancellationToken).AsTask()).ToArray();
        Task<bool> setText = _db.StringSetAsync(textKey, text, cancellationToken: TestContext.Current.CancellationToken).AsTask();
        await Task.WhenAll(setLarge, setText, Task.WhenAll(pings));
        byte[]? read = (byte[]?)await _db.StringGetAsync(key, TestContext.Current.CancellationToken);
        RedisValue readText = await _db.StringGetAsync(textKey, TestContext.Current.CancellationToken);

        Assert.NotNull(read);
        Assert.True(value.AsSpan().SequenceEqual(read), "the 9 MB value came back different");
        Assert.Equal(text.Length, readText.ToString().Length);
        Assert.Equal(text, readText.ToString());
    }

    [Fact(Timeout = 60_000)]
    public async Task StringGetAsync_TenThousandConcurrentCallers_EachGetsItsOwnReply()
    {
        string prefix = RedisTestClient.Key("concurrent");
        const int callers = 10_000;

        // Every caller writes its own value and reads it back; all run concurrently on one connection.
        string[] results = await Task.WhenAll(Enumerable.Range(0, callers).Select(async i =>
        {
            await Task.Yield();
            string key = $"{prefix}:{i}";
            await _db.StringSetAsync(key, $"value-{i}");
            return $"{i}={(await _db.StringGetAsync(key)).ToString()}";
        }));

        Assert.Equal(callers, results.Length);
        for (int i = 0; i < callers; i++)
        {
            Assert.Equal($"{i}=value-{i}", results[i]);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task StringIncrementAsync_TenThousandConcurrentCallers_EachGetsADistinctCount()
    {
        string key = RedisTestClient.Key("counter");
        const int callers = 10_000;

        long[] counts = await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            await Task.Yield();
            return await _db.StringIncrementAsync(key);
        }));

        Assert.Equal(Enumerable.Range(1, callers).Select(i => (long)i), counts.Order());
        Assert.Equal(0, _client.GetStatus().InFlight);
    }
}
