using AiServer.Providers;
using AiServer.Providers.HuggingFace;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.Tests.Providers.HuggingFace;

public sealed class HuggingFaceClientTests(ProviderEmulatorFixture emulator) : IClassFixture<ProviderEmulatorFixture>
{
    private const string Caption = "a small test image of a single solid colour";

    // A PNG signature is all the emulator's image check looks at.
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GenerateImageCaptionAsync_ImageUrl_ReturnsTheCaptionFromTheEventStream()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var caption = await host.Get<HuggingFaceClient>().GenerateImageCaptionAsync(
            new HuggingFaceCaptionRequest { ImageUrl = new Uri(emulator.BaseUri, "files/outputs/x/in.png"), CaptionType = "Training Prompt", CaptionLength = "short" },
            cancellationToken: Ct);

        Assert.Equal(Caption, caption);
        var call = (await emulator.RequestsAsync("huggingface")).Last(r => ((string?)r!["path"])!.EndsWith("/gradio_api/call/stream_chat", StringComparison.Ordinal));
        Assert.Equal("POST", (string?)call!["method"]);
    }

    [Fact]
    public async Task GenerateImageCaptionAsync_ImageBytes_UploadsFirst()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var caption = await host.Get<HuggingFaceClient>().GenerateImageCaptionAsync(new HuggingFaceCaptionRequest { Image = Png }, cancellationToken: Ct);

        Assert.Equal(Caption, caption);
        Assert.Contains(await emulator.RequestsAsync("huggingface"), r => ((string?)r!["path"])!.EndsWith("/gradio_api/upload", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GenerateImageCaptionAsync_SpaceError_ThrowsJobFailed()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var ex = await Assert.ThrowsAsync<ProviderJobFailedException>(() => host.Get<HuggingFaceClient>().GenerateImageCaptionAsync(
            new HuggingFaceCaptionRequest { ImageUrl = new Uri(emulator.BaseUri, "files/outputs/x/emulator:failed.png") }, cancellationToken: Ct));

        Assert.Equal(ProviderNames.HuggingFace, ex.Provider);
        Assert.Equal("error", ex.Status);
    }

    [Fact]
    public async Task CaptionWithModelAsync_Router_ReturnsGeneratedText()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var caption = await host.Get<HuggingFaceClient>().CaptionWithModelAsync(Png, cancellationToken: Ct);

        Assert.Equal(Caption, caption);
    }

    [Fact]
    public async Task CaptionWithModelAsync_LegacyModelLoading_WaitsEstimatedTimeAndSucceeds()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator, new Dictionary<string, string?> { ["Providers:HuggingFace:BaseUrl"] = emulator.Url("huggingface") });
        var model = "acme/cold-" + Guid.NewGuid().ToString("N")[..6];

        var caption = await host.Get<HuggingFaceClient>().CaptionWithModelAsync(Png, model: model, cancellationToken: Ct);

        Assert.Equal(Caption, caption);
        var calls = (await emulator.RequestsAsync("huggingface")).Where(r => (string?)r!["path"] == "/huggingface/models/" + model).Select(r => (int)r!["statusCode"]!).ToList();
        Assert.Equal(503, calls[0]);
        Assert.Equal(200, calls[^1]);
    }

    [Fact]
    public async Task CaptionWithModelAsync_LoadingLongerThanAllowed_ThrowsModelLoading()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator, new Dictionary<string, string?>
        {
            ["Providers:HuggingFace:BaseUrl"] = emulator.Url("huggingface"),
            ["Providers:HuggingFace:MaxModelLoadingWait"] = "00:00:00.100",
        });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => host.Get<HuggingFaceClient>().CaptionWithModelAsync(Png, model: "acme/cold-" + Guid.NewGuid().ToString("N")[..6], cancellationToken: Ct));

        Assert.Equal(503, ex.StatusCode);
        Assert.Equal("model_loading", ex.ErrorCode);
        Assert.Contains("currently loading", ex.ProviderMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CaptionWithModelAsync_NotAnImage_Throws400WithProviderError()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => host.Get<HuggingFaceClient>().CaptionWithModelAsync([1, 2, 3], cancellationToken: Ct));

        Assert.Equal(400, ex.StatusCode);
        Assert.Equal("cannot identify image file", ex.ProviderMessage);
    }

    [Fact]
    public async Task HealthCheckAsync_Emulator_HealthyWithSpaceStage()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var result = await host.Get<HuggingFaceClient>().HealthCheckAsync(Ct);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("RUNNING", result.Data["spaceStage"]);
    }

    [Fact]
    public async Task CaptionWithModelAsync_5xxBurst_OpensOnlyTheHuggingFaceBreaker()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var client = host.Get<HuggingFaceClient>();
        await emulator.AddFaultAsync(new { provider = "huggingface", path = "/hf-inference/models/acme/burst", kind = "error", statusCode = 502, count = 3 });

        for (var i = 0; i < 3; i++)
        {
            var ex = await Assert.ThrowsAsync<ProviderException>(() => client.CaptionWithModelAsync(Png, model: "acme/burst", cancellationToken: Ct));
            Assert.Equal(502, ex.StatusCode);
        }

        var rejected = await Assert.ThrowsAsync<ProviderUnavailableException>(() => client.CaptionWithModelAsync(Png, model: "acme/burst", cancellationToken: Ct));

        Assert.True(rejected.BreakerRejected);
        var breakers = host.Get<ICircuitBreakerRegistry>();
        Assert.Equal(CircuitState.Open, breakers.Get(ProviderNames.HuggingFace).State);
        foreach (var other in new[] { ProviderNames.Replicate, ProviderNames.Supabase, ProviderNames.ElevenLabs, ProviderNames.SyncLabs, ProviderNames.HuggingFace, ProviderNames.Bfl, ProviderNames.FileDownload }.Where(n => n != ProviderNames.HuggingFace))
        {
            Assert.Equal(CircuitState.Closed, breakers.Get(other).State);
        }
    }
}
