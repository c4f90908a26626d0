using System.Net;

namespace AiServer.Tests.ProviderEmulator;

[Collection(EmulatorCollection.Name)]
public sealed class FaultInjectionTests(EmulatorFixture emulator) : IAsyncLifetime
{
    public async ValueTask InitializeAsync() => await emulator.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Theory]
    [InlineData("replicate", "v1/account", "detail")]
    [InlineData("elevenlabs", "v1/user", "detail")]
    [InlineData("synclabs", "v2/models", "statusCode")]
    [InlineData("huggingface", "api/whoami-v2", "error")]
    [InlineData("bfl", "v1/credits", "detail")]
    [InlineData("supabase", "auth/v1/health", "code")]
    public async Task ErrorFault_AnyProvider_ReturnsStatusInProviderFormat(string provider, string path, string field)
    {
        using var added = await emulator.AddFaultAsync(new { provider, kind = "error", statusCode = 503 });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        using var client = emulator.Client(provider);

        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull((await response.ReadObjectAsync())[field]);
    }

    [Fact]
    public async Task ErrorFault_HalfRate_FailsExactlyEverySecondRequest()
    {
        using var added = await emulator.AddFaultAsync(new { provider = "replicate", path = "/v1/account", kind = "error", statusCode = 500, rate = 0.5 });
        using var client = emulator.Client("replicate");

        var statuses = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await client.GetAsync("v1/account", TestContext.Current.CancellationToken);
            statuses.Add((int)response.StatusCode);
        }

        Assert.Equal([200, 500, 200, 500, 200, 500], statuses);
    }

    [Fact]
    public async Task ErrorFault_Count_ExpiresAfterThatManyHits()
    {
        using var added = await emulator.AddFaultAsync(new { provider = "bfl", kind = "error", statusCode = 502, count = 2 });
        using var client = emulator.Client("bfl");

        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync("v1/credits", TestContext.Current.CancellationToken);
            statuses.Add((int)response.StatusCode);
        }

        Assert.Equal([502, 502, 200], statuses);
        using var list = await emulator.Control.GetAsync("_emulator/faults", TestContext.Current.CancellationToken);
        Assert.Empty((await list.ReadJsonAsync()).AsArray());
    }

    [Fact]
    public async Task ErrorFault_Duration_ExpiresAfterIt()
    {
        using var added = await emulator.AddFaultAsync(new { provider = "synclabs", kind = "error", durationSeconds = 0.2 });

        await Eventually.UntilAsync(
            async () => (await (await emulator.Control.GetAsync("_emulator/faults", TestContext.Current.CancellationToken)).ReadJsonAsync()).AsArray().Count == 0,
            "the timed fault to expire");
        using var client = emulator.Client("synclabs");
        using var response = await client.GetAsync("v2/models", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ErrorFault_PathAndMethod_OnlyMatchingRequestsFail()
    {
        using var added = await emulator.AddFaultAsync(new { provider = "replicate", path = "/v1/predictions*", method = "POST", kind = "error", statusCode = 500 });
        using var client = emulator.Client("replicate");

        using var create = await client.PostJsonAsync("v1/predictions", """{"version":"a/b","input":{}}""");
        using var list = await client.GetAsync("v1/predictions", TestContext.Current.CancellationToken);
        using var account = await client.GetAsync("v1/account", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, create.StatusCode);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
    }

    [Fact]
    public async Task RateLimitFault_Replicate_Returns429WithRetryAfterAndProviderHeaders()
    {
        using var added = await emulator.AddFaultAsync(new { provider = "replicate", kind = "rateLimit", retryAfterSeconds = 7, count = 1 });
        using var client = emulator.Client("replicate");

        using var response = await client.GetAsync("v1/account", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("0", response.Headers.GetValues("ratelimit-remaining").Single());
        Assert.Contains("throttled", (string?)(await response.ReadObjectAsync())["detail"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("elevenlabs", "v1/user")]
    [InlineData("synclabs", "v2/models")]
    [InlineData("huggingface", "api/whoami-v2")]
    [InlineData("bfl", "v1/credits")]
    [InlineData("supabase", "auth/v1/health")]
    public async Task RateLimitFault_OtherProviders_Returns429WithRetryAfter(string provider, string path)
    {
        using var added = await emulator.AddFaultAsync(new { provider, kind = "rateLimit", retryAfterSeconds = 3 });
        using var client = emulator.Client(provider);

        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task RateLimitFault_OmitRetryAfter_Returns429WithoutRetryAfter()
    {
        using var added = await emulator.AddFaultAsync(new { provider = "elevenlabs", kind = "rateLimit", omitRetryAfter = true });
        using var client = emulator.Client("elevenlabs");

        using var response = await client.GetAsync("v1/user", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Null(response.Headers.RetryAfter);
        Assert.Equal("too_many_concurrent_requests", (string?)(await response.ReadObjectAsync())["detail"]!["status"]);
    }

    [Fact]
    public async Task LatencyFault_Request_StillSucceedsAndIsRecordedAsDelayed()
    {
        using var added = await emulator.AddFaultAsync(new { provider = "bfl", kind = "latency", latencyMs = 150 });
        using var client = emulator.Client("bfl");

        using var response = await client.GetAsync("v1/credits", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var requests = await emulator.Control.GetAsync("_emulator/requests?provider=bfl", TestContext.Current.CancellationToken);
        Assert.Equal("latency", (string?)(await requests.ReadJsonAsync()).AsArray().Single()!["faultKind"]);
    }

    [Fact]
    public async Task HangFault_ClientTimeout_ClientGivesUp()
    {
        using var added = await emulator.AddFaultAsync(new { provider = "huggingface", kind = "hang" });
        using var client = emulator.Client("huggingface", timeout: TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAsync("api/whoami-v2", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ResetFault_Request_ConnectionIsAborted()
    {
        using var added = await emulator.AddFaultAsync(new { provider = "files", kind = "reset", count = 1 });
        using var client = emulator.Client("files"); // fresh connection pool: no silent retry on a reused connection

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("blob/a.bin?size=10", TestContext.Current.CancellationToken));
        using var after = await client.GetAsync("blob/a.bin?size=10", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }
}
