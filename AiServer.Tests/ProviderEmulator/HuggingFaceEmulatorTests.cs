using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AiServer.ProviderEmulator.Media;

namespace AiServer.Tests.ProviderEmulator;

[Collection(EmulatorCollection.Name)]
public sealed class HuggingFaceEmulatorTests(EmulatorFixture emulator) : IAsyncLifetime
{
    private const string Space = "spaces/fancyfeast/joy-caption-alpha-two/gradio_api";
    private readonly HttpClient _hf = emulator.Client("huggingface");

    public async ValueTask InitializeAsync() => await emulator.ResetAsync();

    public ValueTask DisposeAsync()
    {
        _hf.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task RouterImageToText_RawPng_ReturnsGeneratedText()
    {
        using var response = await _hf.PostAsync("hf-inference/models/Salesforce/blip-image-captioning-large", Png(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(string.IsNullOrEmpty((string?)(await response.ReadJsonAsync()).AsArray()[0]!["generated_text"]));
    }

    [Fact]
    public async Task RouterImageToText_Base64Json_ReturnsGeneratedText()
    {
        var body = new JsonObject { ["inputs"] = Convert.ToBase64String(TinyMedia.Jpeg()) };
        using var response = await _hf.PostAsync("hf-inference/models/Salesforce/blip-image-captioning-base", Http.Json(body), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RouterImageToText_NotAnImage_Returns400Error()
    {
        using var response = await _hf.PostAsync("hf-inference/models/a/b", new ByteArrayContent("hello"u8.ToArray()), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.ReadObjectAsync())["error"]);
    }

    [Fact]
    public async Task RouterImageToText_MissingToken_Returns401Error()
    {
        using var anonymous = emulator.Client("huggingface", authenticated: false);
        using var response = await anonymous.PostAsync("hf-inference/models/a/b", Png(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotNull((await response.ReadObjectAsync())["error"]);
    }

    [Fact]
    public async Task LegacyImageToText_ColdModel_Returns503LoadingThenWaitForModelAnswers()
    {
        using var cold = await _hf.PostAsync("models/nlpconnect/vit-gpt2-image-captioning", Png(), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, cold.StatusCode);
        var loading = await cold.ReadObjectAsync();
        Assert.Equal("Model nlpconnect/vit-gpt2-image-captioning is currently loading", (string?)loading["error"]);
        Assert.True((double)loading["estimated_time"]! > 0);

        using var request = new HttpRequestMessage(HttpMethod.Post, "models/nlpconnect/vit-gpt2-image-captioning") { Content = Png() };
        request.Headers.Add("X-wait-for-model", "true");
        using var warm = await _hf.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
    }

    [Fact]
    public async Task GradioCall_JoyCaption_StreamsGeneratingThenCompleteWithPromptAndCaption()
    {
        using var anonymous = emulator.Client("huggingface", authenticated: false);
        using var call = await anonymous.PostJsonAsync($"{Space}/call/stream_chat", """{"data":[{"path":"https://example.com/a.png","meta":{"_type":"gradio.FileData"}},"Descriptive","long",[],"",""]}""");
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        var eventId = (string)(await call.ReadObjectAsync())["event_id"]!;

        var stream = await anonymous.GetStringAsync($"{Space}/call/stream_chat/{eventId}", TestContext.Current.CancellationToken);

        var events = stream.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Split('\n')).ToList();
        Assert.Equal(["event: generating", "event: complete"], events.Select(e => e[0]));
        var data = JsonNode.Parse(events[^1][1]["data: ".Length..])!.AsArray();
        Assert.Equal(2, data.Count);
        Assert.False(string.IsNullOrEmpty((string?)data[1]));
    }

    [Fact]
    public async Task GradioCall_FailedOutcome_StreamsErrorEvent()
    {
        using var call = await _hf.PostJsonAsync($"{Space}/call/stream_chat", """{"data":["emulator:failed"]}""");
        var eventId = (string)(await call.ReadObjectAsync())["event_id"]!;

        var stream = await _hf.GetStringAsync($"{Space}/call/stream_chat/{eventId}", TestContext.Current.CancellationToken);

        Assert.Contains("event: error", stream, StringComparison.Ordinal);
        Assert.DoesNotContain("event: complete", stream, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSpaceRuntime_Any_ReturnsRunningStage()
    {
        using var response = await _hf.GetAsync("api/spaces/fancyfeast/joy-caption-alpha-two/runtime", TestContext.Current.CancellationToken);

        Assert.Equal("RUNNING", (string?)(await response.ReadObjectAsync())["stage"]);
    }

    private static ByteArrayContent Png()
    {
        var content = new ByteArrayContent(TinyMedia.Png());
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }
}
