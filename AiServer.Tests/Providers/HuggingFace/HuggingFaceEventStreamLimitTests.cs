using AiServer.Providers;
using AiServer.Providers.HuggingFace;

namespace AiServer.Tests.Providers.HuggingFace;

public sealed class HuggingFaceEventStreamLimitTests(ProviderEmulatorFixture emulator, FakeGradioSpace space)
    : IClassFixture<ProviderEmulatorFixture>, IClassFixture<FakeGradioSpace>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<ProviderTestHost> HostAsync(string mode) => ProviderTestHost.StartAsync(emulator, new Dictionary<string, string?>
    {
        ["Providers:HuggingFace:SpaceUrl"] = new Uri(space.BaseUri, mode).AbsoluteUri,
        ["Providers:HuggingFace:MaxEventBytes"] = "1024",
    });

    private static HuggingFaceCaptionRequest Caption => new() { ImageUrl = new Uri("https://example.com/cat.png") };

    [Fact]
    public async Task GenerateImageCaptionAsync_SmallEvents_ReturnsTheCaption()
    {
        await using var host = await HostAsync("normal");

        var caption = await host.Get<HuggingFaceClient>().GenerateImageCaptionAsync(Caption, cancellationToken: Ct);

        Assert.Equal("a cat", caption);
    }

    [Theory]
    [InlineData("longline")]
    [InlineData("manydata")]
    public async Task GenerateImageCaptionAsync_EventOverTheCap_EventTooLarge(string mode)
    {
        await using var host = await HostAsync(mode);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => host.Get<HuggingFaceClient>().GenerateImageCaptionAsync(Caption, cancellationToken: Ct));

        Assert.Equal("event_too_large", ex.ErrorCode);
        Assert.Contains("MaxEventBytes", ex.ProviderMessage, StringComparison.Ordinal);
    }
}
