using AiServer.Providers;
using AiServer.Providers.SyncLabs;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.Tests.Providers.SyncLabs;

public sealed class SyncLabsClientTests(ProviderEmulatorFixture emulator) : IClassFixture<ProviderEmulatorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SyncLipSyncRequest LipSync(string? key = null, string video = "in.mp4") => new()
    {
        VideoUrl = new Uri(emulator.BaseUri, "files/outputs/x/" + video),
        AudioUrl = new Uri(emulator.BaseUri, "files/outputs/x/in.wav"),
        WebhookUrl = new Uri("https://example.com/hooks/sync"),
        IdempotencyKey = key,
    };

    [Fact]
    public async Task GenerateLipSyncAsync_ThenWait_CompletesWithOutputUrl()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var client = host.Get<SyncLabsClient>();

        var created = await client.GenerateLipSyncAsync(LipSync(), cancellationToken: Ct);
        var done = await client.WaitForGenerationAsync(created.Id, TimeSpan.FromSeconds(10), cancellationToken: Ct);

        Assert.Equal(SyncGenerationStatus.Pending, created.State);
        Assert.Equal("https://example.com/hooks/sync", created.WebhookUrl);
        Assert.Equal(SyncGenerationStatus.Completed, done.State);
        Assert.False(string.IsNullOrEmpty(done.OutputUrl));
    }

    [Fact]
    public async Task GenerateLipSyncAsync_SameIdempotencyKey_ReturnsTheSameGeneration()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var client = host.Get<SyncLabsClient>();
        var key = Guid.NewGuid().ToString("N");

        var first = await client.GenerateLipSyncAsync(LipSync(key), cancellationToken: Ct);
        var second = await client.GenerateLipSyncAsync(LipSync(key), cancellationToken: Ct);

        Assert.Equal(first.Id, second.Id);
    }

    [Fact]
    public async Task GenerateLipSyncAsync_503WithIdempotencyKey_IsRetriedByThePipeline()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        await emulator.AddFaultAsync(new { provider = "synclabs", path = "/v2/generate", method = "POST", kind = "error", statusCode = 503, count = 1 });

        var created = await host.Get<SyncLabsClient>().GenerateLipSyncAsync(LipSync(), cancellationToken: Ct);

        Assert.False(string.IsNullOrEmpty(created.Id));
        var stats = host.Get<ICircuitBreakerRegistry>().Get(ProviderNames.SyncLabs).GetStats();
        Assert.Equal("HTTP 503", stats.LastFailureReason);
    }

    [Fact]
    public async Task WaitForGenerationAsync_FailedGeneration_ThrowsJobFailedWithErrorCode()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var client = host.Get<SyncLabsClient>();
        var created = await client.GenerateLipSyncAsync(LipSync(video: "emulator:failed.mp4"), cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<ProviderJobFailedException>(() => client.WaitForGenerationAsync(created.Id, TimeSpan.FromSeconds(10), cancellationToken: Ct));

        Assert.Equal("FAILED", ex.Status);
        Assert.Equal("generation_failed", ex.ErrorCode);
    }

    [Fact]
    public async Task GetGenerationAsync_Unknown_Throws404WithErrorCode()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => host.Get<SyncLabsClient>().GetGenerationAsync("00000000-0000-0000-0000-000000000000", cancellationToken: Ct));

        Assert.Equal(404, ex.StatusCode);
        Assert.Equal("generation_not_found", ex.ErrorCode);
    }

    [Fact]
    public async Task GetGenerationAsync_429LongerThanRetryBudget_ThrowsRateLimitedWithRetryAfter()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        await emulator.AddFaultAsync(new { provider = "synclabs", path = "/v2/generate/rl-*", kind = "rateLimit", retryAfterSeconds = 30, count = 1 });

        var ex = await Assert.ThrowsAsync<ProviderRateLimitedException>(() => host.Get<SyncLabsClient>().GetGenerationAsync("rl-1", cancellationToken: Ct));

        Assert.Equal("rate_limit_exceeded", ex.ErrorCode);
        Assert.Equal(TimeSpan.FromSeconds(30), ex.RetryAfter);
    }

    [Fact]
    public async Task HealthCheckAsync_Emulator_Healthy()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var result = await host.Get<SyncLabsClient>().HealthCheckAsync(Ct);

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task GetGenerationAsync_5xxBurst_OpensOnlyTheSyncBreaker()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        await emulator.AddFaultAsync(new { provider = "synclabs", path = "/v2/generate/burst-*", kind = "error", statusCode = 500, count = 3 });

        // A GET is retried by the external-API preset: three attempts, three failures.
        var ex = await Assert.ThrowsAsync<ProviderException>(() => host.Get<SyncLabsClient>().GetGenerationAsync("burst-1", cancellationToken: Ct));
        var rejected = await Assert.ThrowsAsync<ProviderUnavailableException>(() => host.Get<SyncLabsClient>().GetGenerationAsync("burst-2", cancellationToken: Ct));

        Assert.Equal(500, ex.StatusCode);
        Assert.Equal("internal_server_error", ex.ErrorCode);
        Assert.True(rejected.BreakerRejected);
        var breakers = host.Get<ICircuitBreakerRegistry>();
        Assert.Equal(CircuitState.Open, breakers.Get(ProviderNames.SyncLabs).State);
        foreach (var other in new[] { ProviderNames.Replicate, ProviderNames.Supabase, ProviderNames.ElevenLabs, ProviderNames.SyncLabs, ProviderNames.HuggingFace, ProviderNames.Bfl, ProviderNames.FileDownload }.Where(n => n != ProviderNames.SyncLabs))
        {
            Assert.Equal(CircuitState.Closed, breakers.Get(other).State);
        }
    }
}
