using System.Net;
using System.Security.Cryptography;
using System.Text;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.ProviderEmulator;

[Collection(EmulatorCollection.Name)]
public sealed class SyncLabsEmulatorTests(EmulatorFixture emulator) : IAsyncLifetime
{
    private const string Valid = """{"model":"lipsync-2","input":[{"type":"video","url":"https://example.com/in.mp4"},{"type":"audio","url":"https://example.com/in.wav"}],"options":{"sync_mode":"cut_off"}}""";
    private readonly HttpClient _sync = emulator.Client("synclabs");

    public async ValueTask InitializeAsync() => await emulator.ResetAsync();

    public ValueTask DisposeAsync()
    {
        _sync.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task CreateGeneration_Polled_GoesPendingToCompletedWithMp4Output()
    {
        using var created = await _sync.PostJsonAsync("v2/generate", Valid);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var generation = await created.ReadObjectAsync();
        Assert.Equal("PENDING", (string?)generation["status"]);

        var done = await Eventually.PollAsync(_sync, $"v2/generate/{generation["id"]}", g => (string?)g["status"] == "COMPLETED", "the generation to complete");
        MediaAssert.Mp4(await _sync.DownloadAsync((string)done["outputUrl"]!));
    }

    [Fact]
    public async Task CreateGeneration_WithWebhook_DeliversSignedCompletion()
    {
        await using var listener = await WebhookListener.StartAsync();
        var body = Valid.Replace("\"options\"", $"\"webhookUrl\":\"{listener.Url}\",\"options\"", StringComparison.Ordinal);
        using var created = await _sync.PostJsonAsync("v2/generate", body);
        var id = (string)(await created.ReadObjectAsync())["id"]!;

        var hook = await listener.NextAsync("the Sync completion webhook");

        Assert.Equal(id, (string?)hook.Json["id"]);
        Assert.Equal("COMPLETED", (string?)hook.Json["status"]);
        var parts = hook.Headers["Sync-Signature"].Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(EmulatorHost.SyncWebhookSecret), Encoding.UTF8.GetBytes(parts["t"] + ".").Concat(hook.Body).ToArray()));
        Assert.Equal(expected, parts["v1"]);
    }

    [Fact]
    public async Task CreateGeneration_RejectedOutcome_EndsRejectedWithErrorCode()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v2/generate") { Content = Http.Json(Valid) };
        request.Headers.Add("X-Emulator-Outcome", "rejected");
        using var created = await _sync.SendAsync(request, TestContext.Current.CancellationToken);
        var id = (string)(await created.ReadObjectAsync())["id"]!;

        var done = await Eventually.PollAsync(_sync, $"v2/generate/{id}", g => (string?)g["status"] is "COMPLETED" or "FAILED" or "REJECTED", "the generation to end");

        Assert.Equal("REJECTED", (string?)done["status"]);
        Assert.NotNull(done["error_code"]);
    }

    [Fact]
    public async Task CreateGeneration_Multipart_TurnsFilePartsIntoInputUrls()
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("lipsync-2"), "model");
        form.Add(new ByteArrayContent(AiServer.ProviderEmulator.Media.TinyMedia.Mp4()), "video", "in.mp4");
        form.Add(new ByteArrayContent(AiServer.ProviderEmulator.Media.TinyMedia.Wav()), "audio", "in.wav");

        using var created = await _sync.PostAsync("v2/generate", form, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var input = (await created.ReadObjectAsync())["input"]!.AsArray();
        Assert.Equal(["video", "audio"], input.Select(i => (string)i!["type"]!));
        MediaAssert.Mp4(await _sync.DownloadAsync((string)input[0]!["url"]!));
    }

    [Fact]
    public async Task CreateGeneration_SameIdempotencyKey_ReturnsSameGeneration()
    {
        async Task<string> CreateAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v2/generate") { Content = Http.Json(Valid) };
            request.Headers.Add("Idempotency-Key", "key-1");
            using var response = await _sync.SendAsync(request, TestContext.Current.CancellationToken);
            return (string)(await response.ReadObjectAsync())["id"]!;
        }

        Assert.Equal(await CreateAsync(), await CreateAsync());
    }

    [Fact]
    public async Task CreateGeneration_NoAudio_Returns400WithMessages()
    {
        using var response = await _sync.PostJsonAsync("v2/generate", """{"model":"lipsync-2","input":[{"type":"video","url":"https://example.com/in.mp4"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.ReadObjectAsync();
        Assert.Equal(400, (int?)error["statusCode"]);
        Assert.NotEmpty(error["message"]!.AsArray());
    }

    [Fact]
    public async Task CreateGeneration_MissingKey_Returns401()
    {
        using var anonymous = emulator.Client("synclabs", authenticated: false);
        using var response = await anonymous.PostJsonAsync("v2/generate", Valid);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(401, (int?)(await response.ReadObjectAsync())["statusCode"]);
    }

    [Fact]
    public async Task GetGeneration_Unknown_Returns404()
    {
        using var response = await _sync.GetAsync("v2/generate/00000000-0000-0000-0000-000000000000", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(404, (int?)(await response.ReadObjectAsync())["statusCode"]);
    }

    [Fact]
    public async Task ListModels_ValidKey_ReturnsArray()
    {
        using var response = await _sync.GetAsync("v2/models", TestContext.Current.CancellationToken);

        Assert.Contains((await response.ReadJsonAsync()).AsArray(), m => (string?)m!["name"] == "lipsync-2");
    }

    [Fact]
    public async Task ListModels_ItemsCarryTheModelInfoFieldsTheSdkRequires()
    {
        using var response = await _sync.GetAsync("v2/models", TestContext.Current.CancellationToken);

        foreach (var model in (await response.ReadJsonAsync()).AsArray())
        {
            Assert.All((string[])["id", "name", "type", "version"], field => Assert.False(string.IsNullOrEmpty((string?)model![field]), field));
            Assert.Contains((string?)model!["type"], (string[])["lipsync", "react"]);
        }
    }

    [Fact]
    public async Task EstimateCost_ReturnsAListOfEstimates()
    {
        using var response = await _sync.PostJsonAsync("v2/analyze/cost", Valid);

        var estimate = Assert.Single((await response.ReadJsonAsync()).AsArray());
        Assert.NotNull(estimate!["estimatedFrameCount"]);
        Assert.NotNull(estimate["estimatedGenerationCost"]);
    }

    [Fact]
    public async Task CreateGeneration_MultipartInputFieldPerItem_KeepsEveryItem()
    {
        // @sync.so/sdk 0.3 createWithFiles appends one "input" field per item, each a JSON object.
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("lipsync-2"), "model");
        form.Add(new ByteArrayContent(AiServer.ProviderEmulator.Media.TinyMedia.Mp4()), "video", "in.mp4");
        form.Add(new StringContent("""{"type":"audio","url":"https://example.com/a.wav"}"""), "input");
        form.Add(new StringContent("""{"type":"text","provider":{"name":"elevenlabs","voiceId":"x","script":"hi"}}"""), "input");

        using var created = await _sync.PostAsync("v2/generate", form, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var input = (await created.ReadObjectAsync())["input"]!.AsArray();
        Assert.Equal(["audio", "text", "video"], input.Select(i => (string)i!["type"]!));
    }

    [Theory]
    [InlineData("status=PENDING")]
    [InlineData("status=PENDING,COMPLETED")]
    [InlineData("status=%5B%22PENDING%22%5D")]
    [InlineData("status=COMPLETED&status=PENDING")]
    public async Task ListGenerations_StatusInEverySdkEncoding_Filters(string query)
    {
        using var created = await _sync.PostJsonAsync("v2/generate", Valid);
        var id = (string)(await created.ReadObjectAsync())["id"]!;

        using var listed = await _sync.GetAsync("v2/generations?" + query, TestContext.Current.CancellationToken);
        using var rejected = await _sync.GetAsync("v2/generations?status=%5B%22REJECTED%22%5D", TestContext.Current.CancellationToken);

        Assert.Equal(id, (string?)Assert.Single((await listed.ReadJsonAsync()).AsArray())!["id"]);
        Assert.Empty((await rejected.ReadJsonAsync()).AsArray());
    }

    [Fact]
    public async Task ListGenerations_ByIds_ReturnsOnlyThose()
    {
        using var first = await _sync.PostJsonAsync("v2/generate", Valid);
        using var second = await _sync.PostJsonAsync("v2/generate", Valid);
        var id = (string)(await first.ReadObjectAsync())["id"]!;

        using var listed = await _sync.GetAsync($"v2/generations?ids=%5B%22{id}%22%5D", TestContext.Current.CancellationToken);

        Assert.Equal(id, (string?)Assert.Single((await listed.ReadJsonAsync()).AsArray())!["id"]);
    }
}
