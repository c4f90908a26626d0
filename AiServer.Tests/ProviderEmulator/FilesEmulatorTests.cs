using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace AiServer.Tests.ProviderEmulator;

[Collection(EmulatorCollection.Name)]
public sealed class FilesEmulatorTests(EmulatorFixture emulator) : IAsyncLifetime
{
    private readonly HttpClient _files = emulator.Client("files");

    public async ValueTask InitializeAsync() => await emulator.ResetAsync();

    public ValueTask DisposeAsync()
    {
        _files.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task GetBlob_SizeAndType_ReturnsThatManyPatternBytes()
    {
        using var response = await _files.GetAsync("blob/video.mp4?size=300000&contentType=video/mp4", TestContext.Current.CancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(300_000, response.Content.Headers.ContentLength);
        Assert.Equal(300_000, bytes.Length);
        Assert.Equal((byte)(299_999 % 251), bytes[^1]);
    }

    [Fact]
    public async Task GetBlob_Range_ReturnsPartialContent()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "blob/a.bin?size=1000");
        request.Headers.Range = new RangeHeaderValue(500, 509);
        using var response = await _files.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(Enumerable.Range(500, 10).Select(i => (byte)(i % 251)), await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task GetBlob_TooLarge_Returns400Problem()
    {
        using var response = await _files.GetAsync("blob/a.bin?size=999999999999999", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("out.png", "image/png")]
    [InlineData("out.jpg", "image/jpeg")]
    [InlineData("out.webp", "image/webp")]
    [InlineData("out.wav", "audio/wav")]
    [InlineData("out.mp3", "audio/mpeg")]
    [InlineData("out.mp4", "video/mp4")]
    [InlineData("out.vtt", "text/vtt")]
    public async Task GetOutput_ByExtension_ReturnsValidFileOfThatType(string name, string contentType)
    {
        using var response = await _files.GetAsync($"outputs/job1/{name}", TestContext.Current.CancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        switch (Path.GetExtension(name))
        {
            case ".png": MediaAssert.Png(bytes); break;
            case ".jpg": MediaAssert.Jpeg(bytes); break;
            case ".webp": MediaAssert.WebP(bytes); break;
            case ".wav": MediaAssert.Wav(bytes); break;
            case ".mp3": MediaAssert.Mp3(bytes); break;
            case ".mp4": MediaAssert.Mp4(bytes); break;
            default: Assert.StartsWith("WEBVTT", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal); break;
        }
    }

    [Fact]
    public async Task GetOutput_UnknownExtension_Returns404()
    {
        using var response = await _files.GetAsync("outputs/job1/out.xyz", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
