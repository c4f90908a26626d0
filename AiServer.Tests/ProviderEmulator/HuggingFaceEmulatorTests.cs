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
    public async Task RouterImageToText_RawPng_ReturnsOneGeneratedTextObject()
    {
        // @huggingface/inference 4.x rejects anything but {generated_text: string} from the router.
        using var response = await _hf.PostAsync("hf-inference/models/Salesforce/blip-image-captioning-large", Png(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(string.IsNullOrEmpty((string?)(await response.ReadObjectAsync())["generated_text"]));
    }

    [Fact]
    public async Task LegacyImageToText_RawPng_ReturnsTheOneElementList()
    {
        // The fixture makes legacy models cold for a moment; wait for the load instead of taking the 503.
        using var request = new HttpRequestMessage(HttpMethod.Post, "models/Salesforce/blip-image-captioning-large") { Content = Png() };
        request.Headers.Add("X-wait-for-model", "true");
        using var response = await _hf.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(string.IsNullOrEmpty((string?)Assert.Single((await response.ReadJsonAsync()).AsArray())!["generated_text"]));
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
    public async Task GradioConfig_DescribesTheAppTheOfficialClientsConnectTo()
    {
        using var anonymous = emulator.Client("huggingface", authenticated: false);
        using var response = await anonymous.GetAsync("spaces/fancyfeast/joy-caption-alpha-two/config", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var config = await response.ReadObjectAsync();
        Assert.Equal(new Uri(emulator.BaseUri, "huggingface/spaces/fancyfeast/joy-caption-alpha-two").AbsoluteUri, (string?)config["root"]);
        Assert.Equal("/gradio_api", (string?)config["api_prefix"]);
        Assert.Equal("sse_v3", (string?)config["protocol"]);
        var dependency = Assert.Single(config["dependencies"]!.AsArray())!;
        Assert.Equal("stream_chat", (string?)dependency["api_name"]);
        var componentIds = config["components"]!.AsArray().Select(c => (int)c!["id"]!).ToHashSet();
        Assert.All(dependency["inputs"]!.AsArray().Concat(dependency["outputs"]!.AsArray()), id => Assert.Contains((int)id!, componentIds));
    }

    [Fact]
    public async Task GradioQueue_JoinThenData_StreamsTheSessionsEventsThenCloses()
    {
        using var anonymous = emulator.Client("huggingface", authenticated: false);
        using var join = await anonymous.PostJsonAsync($"{Space}/queue/join", """{"data":[null,"Descriptive","long",[],"",""],"event_data":null,"fn_index":0,"trigger_id":9,"session_hash":"s1"}""");
        Assert.Equal(HttpStatusCode.OK, join.StatusCode);
        var eventId = (string)(await join.ReadObjectAsync())["event_id"]!;

        var stream = await anonymous.GetStringAsync($"{Space}/queue/data?session_hash=s1", TestContext.Current.CancellationToken);

        var messages = stream.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => JsonNode.Parse(e["data: ".Length..])!).ToList();
        Assert.Equal(["estimation", "process_starts", "process_generating", "process_completed", "close_stream"], messages.Select(m => (string?)m["msg"]));
        Assert.All(messages.SkipLast(1), m => Assert.Equal(eventId, (string?)m["event_id"]));
        var completed = messages[3];
        Assert.True((bool)completed["success"]!);
        Assert.Equal(2, completed["output"]!["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task GradioQueue_FailedOutcome_CompletesWithAnError()
    {
        using var join = await _hf.PostJsonAsync($"{Space}/queue/join", """{"data":[null,"emulator:failed"],"fn_index":0,"session_hash":"s2"}""");
        Assert.Equal(HttpStatusCode.OK, join.StatusCode);

        var stream = await _hf.GetStringAsync($"{Space}/queue/data?session_hash=s2", TestContext.Current.CancellationToken);

        var completed = stream.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => JsonNode.Parse(e["data: ".Length..])!).Single(m => (string?)m["msg"] == "process_completed");
        Assert.False((bool)completed["success"]!);
        Assert.NotNull(completed["output"]!["error"]);
    }

    [Fact]
    public async Task GradioHeartbeat_StreamsAliveAtOnceAndStaysOpen()
    {
        using var anonymous = emulator.Client("huggingface", authenticated: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Space}/heartbeat/s4");
        using var response = await anonymous.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        Assert.Equal("data: ALIVE", await reader.ReadLineAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("""{"data":[],"session_hash":"s3"}""")]
    [InlineData("""{"data":[],"fn_index":5,"session_hash":"s3"}""")]
    [InlineData("""{"fn_index":0,"session_hash":"s3"}""")]
    public async Task GradioQueue_JoinWithoutAKnownFunctionOrData_Returns422(string body)
    {
        using var join = await _hf.PostJsonAsync($"{Space}/queue/join", body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, join.StatusCode);
        Assert.NotNull((await join.ReadObjectAsync())["detail"]);
    }

    [Fact]
    public async Task WhoAmI_HasTheFieldsOfTheHubClientsUserType()
    {
        using var response = await _hf.GetAsync("api/whoami-v2", TestContext.Current.CancellationToken);

        var me = await response.ReadObjectAsync();
        Assert.All((string[])["id", "type", "name", "fullname", "email", "emailVerified", "isPro", "orgs", "canPay", "avatarUrl", "periodEnd", "billingMode", "auth"], f => Assert.True(me.ContainsKey(f), "missing " + f));
        Assert.True(DateTimeOffset.TryParse((string?)me["auth"]!["accessToken"]!["createdAt"], System.Globalization.CultureInfo.InvariantCulture, out _));
    }

    [Theory]
    [InlineData("api/models/Salesforce/blip-image-captioning-large/revision/HEAD")]
    [InlineData("api/spaces/fancyfeast/joy-caption-alpha-two/revision/HEAD")]
    [InlineData("api/spaces/fancyfeast/joy-caption-alpha-two")]
    public async Task HubRepoInfo_ByRevisionToo_CarriesIdAndLastModified(string path)
    {
        using var anonymous = emulator.Client("huggingface", authenticated: false);
        using var response = await anonymous.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var info = await response.ReadObjectAsync();
        Assert.NotNull((string?)info["_id"]);
        Assert.Contains("/", (string?)info["id"], StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse((string?)info["lastModified"], System.Globalization.CultureInfo.InvariantCulture, out _));
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
