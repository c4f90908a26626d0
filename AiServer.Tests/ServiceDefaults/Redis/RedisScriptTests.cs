using AiServer.ServiceDefaults.Redis;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.ServiceDefaults.Redis;

public sealed class RedisScriptTests(RedisServer server) : IAsyncLifetime
{
    private static readonly RedisScript IncrementBy = RedisScript.FromResource(typeof(RedisScriptTests).Assembly, "increment_by.lua");

    private RedisClient _client = null!;
    private IRedisDatabase _db = null!;

    public async ValueTask InitializeAsync()
    {
        _client = await RedisTestClient.ConnectAsync(server.ConnectionString);
        _db = _client.GetDatabase();
    }

    public async ValueTask DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public void FromResource_EmbeddedLua_HasSourceAndRedisSha()
    {
        Assert.Contains("INCRBY", IncrementBy.Source, StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{40}$", IncrementBy.Sha1);
    }

    [Fact]
    public void FromResource_MissingName_SaysWhatIsEmbedded()
    {
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => RedisScript.FromResource(typeof(RedisScriptTests).Assembly, "nope.lua"));

        Assert.Contains("'nope.lua' is not embedded", error.Message, StringComparison.Ordinal);
        Assert.Contains("increment_by.lua", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task ScriptEvaluateAsync_AfterScriptFlush_ReloadsTransparently()
    {
        string key = RedisTestClient.Key("script");

        RedisResult first = await _db.ScriptEvaluateAsync(IncrementBy, [key], [5], TestContext.Current.CancellationToken);
        string flush = await server.CliAsync("SCRIPT", "FLUSH");
        RedisResult exists = await _db.ExecuteAsync("SCRIPT", "EXISTS", IncrementBy.Sha1);
        RedisResult second = await _db.ScriptEvaluateAsync(IncrementBy, [key], [7], TestContext.Current.CancellationToken);

        Assert.Equal("OK", flush);
        Assert.Equal(0, exists.Items[0].AsInt64());
        Assert.Equal(5, first.AsInt64());
        Assert.Equal(12, second.AsInt64());
    }

    [Fact(Timeout = 30_000)]
    public async Task ScriptLoadAsync_Source_ReturnsSameShaAsClient()
    {
        string sha = await _db.ScriptLoadAsync(IncrementBy, TestContext.Current.CancellationToken);

        Assert.Equal(IncrementBy.Sha1, sha);
    }

    [Fact(Timeout = 30_000)]
    public async Task ScriptEvaluateAsync_ScriptError_ThrowsServerException()
    {
        var broken = new RedisScript("return redis.call('NOSUCHCOMMAND')");

        RedisServerException error = await Assert.ThrowsAsync<RedisServerException>(async () => await _db.ScriptEvaluateAsync(broken, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("Unknown Redis command called from script", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task ScriptEvaluateAsync_TableReply_ReturnsArray()
    {
        var script = new RedisScript("return {KEYS[1], tonumber(ARGV[1]) * 2, {ARGV[2]}}");

        RedisResult result = await _db.ScriptEvaluateAsync(script, ["k"], [21, "nested"], TestContext.Current.CancellationToken);

        Assert.Equal(RedisResultType.Array, result.Type);
        Assert.Equal("k", result.Items[0].ToString());
        Assert.Equal(42, result.Items[1].AsInt64());
        Assert.Equal("nested", result.Items[2].Items[0].ToString());
    }
}
