using System.Net;
using System.Text.Json.Nodes;

namespace AiServer.Tests.ProviderEmulator;

[Collection(EmulatorCollection.Name)]
public sealed class ReplicateEmulatorTests(EmulatorFixture emulator) : IAsyncLifetime
{
    private const string Version = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa";
    private readonly HttpClient _replicate = emulator.Client("replicate");

    public async ValueTask InitializeAsync() => await emulator.ResetAsync();

    public ValueTask DisposeAsync()
    {
        _replicate.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task CreatePrediction_Polled_EndsSucceededWithOutputAndMetrics()
    {
        using var created = await _replicate.PostJsonAsync("v1/predictions", $$$"""{"version":"{{{Version}}}","input":{"prompt":"a cat"}}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var prediction = await created.ReadObjectAsync();
        Assert.Equal("starting", (string?)prediction["status"]);
        Assert.Equal(26, ((string)prediction["id"]!).Length);
        Assert.Equal(Version, (string?)prediction["version"]);
        Assert.NotNull(created.Headers.GetValues("ratelimit-remaining").Single());

        var done = await Eventually.PollAsync(_replicate, $"v1/predictions/{prediction["id"]}", p => (string?)p["status"] == "succeeded", "the prediction to succeed");
        Assert.NotNull(done["completed_at"]);
        Assert.NotNull(done["metrics"]!["predict_time"]);
        var url = (string)done["output"]!.AsArray()[0]!;
        MediaAssert.Png(await _replicate.DownloadAsync(url));
    }

    [Fact]
    public async Task Webhook_AllEvents_DeliversStartLogsOutputCompletedInLifecycleOrder()
    {
        await using var listener = await WebhookListener.StartAsync();
        var body = new JsonObject
        {
            ["version"] = Version,
            ["input"] = new JsonObject { ["prompt"] = "a cat" },
            ["webhook"] = listener.Url.ToString(),
            ["webhook_events_filter"] = new JsonArray("start", "logs", "output", "completed"),
        };
        using var created = await _replicate.PostAsync("v1/predictions", Http.Json(body), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var statuses = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var hook = await listener.NextAsync($"Replicate webhook #{i + 1}");
            statuses.Add((string)hook.Json["status"]!);
        }

        Assert.Equal(["starting", "processing", "succeeded", "succeeded"], statuses);
    }

    [Fact]
    public async Task Webhook_Signature_VerifiesWithSecretFromApiAndForgeryFails()
    {
        await using var listener = await WebhookListener.StartAsync();
        using var secretResponse = await _replicate.GetAsync("v1/webhooks/default/secret", TestContext.Current.CancellationToken);
        var secret = (string)(await secretResponse.ReadObjectAsync())["key"]!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);

        using var created = await _replicate.PostJsonAsync("v1/models/black-forest-labs/flux-schnell/predictions", $$$"""{"input":{"prompt":"x"},"webhook":"{{{listener.Url}}}","webhook_events_filter":["completed"]}""");
        var hook = await listener.NextAsync("the completed webhook");

        Assert.Equal("succeeded", (string?)hook.Json["status"]);
        Assert.Equal("black-forest-labs/flux-schnell", (string?)hook.Json["model"]);
        Assert.StartsWith("msg_", hook.Headers["webhook-id"], StringComparison.Ordinal);
        Assert.True(StandardWebhooksVerifier.Verify(secret, hook.Headers["webhook-id"], hook.Headers["webhook-timestamp"], hook.Body, hook.Headers["webhook-signature"]));
        Assert.False(StandardWebhooksVerifier.Verify("whsec_" + Convert.ToBase64String(new byte[24]), hook.Headers["webhook-id"], hook.Headers["webhook-timestamp"], hook.Body, hook.Headers["webhook-signature"]));
        Assert.False(StandardWebhooksVerifier.Verify(secret, hook.Headers["webhook-id"], "1", hook.Body, hook.Headers["webhook-signature"]));
    }

    [Fact]
    public async Task Webhook_NonLoopbackUrl_IsNotCalledAndIsReported()
    {
        using var created = await _replicate.PostJsonAsync("v1/models/a/b/predictions", """{"input":{},"webhook":"https://example.com/hook","webhook_events_filter":["start"]}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        await Eventually.UntilAsync(
            async () => (await (await emulator.Control.GetAsync("_emulator/webhooks?provider=replicate", TestContext.Current.CancellationToken)).ReadJsonAsync()).AsArray().Count > 0,
            "the refused webhook to be reported");
        using var log = await emulator.Control.GetAsync("_emulator/webhooks?provider=replicate", TestContext.Current.CancellationToken);
        Assert.StartsWith("refused", (string)(await log.ReadJsonAsync()).AsArray()[0]!["outcome"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreatePrediction_PreferWait_ReturnsTerminalPredictionAndPreferenceApplied()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/models/black-forest-labs/flux-schnell/predictions") { Content = Http.Json("""{"input":{"prompt":"x","output_format":"webp"}}""") };
        request.Headers.TryAddWithoutValidation("Prefer", "wait=10");
        using var response = await _replicate.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("wait=10", response.Headers.GetValues("Preference-Applied").Single());
        var prediction = await response.ReadObjectAsync();
        Assert.Equal("succeeded", (string?)prediction["status"]);
        MediaAssert.WebP(await _replicate.DownloadAsync((string)prediction["output"]!.AsArray()[0]!));
    }

    [Fact]
    public async Task CreatePrediction_FailedOutcome_EndsFailedWithError()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/predictions") { Content = Http.Json($$$"""{"version":"{{{Version}}}","input":{}}""") };
        request.Headers.Add("X-Emulator-Outcome", "failed");
        request.Headers.Add("Prefer", "wait");
        using var response = await _replicate.SendAsync(request, TestContext.Current.CancellationToken);

        var prediction = await response.ReadObjectAsync();
        Assert.Equal("failed", (string?)prediction["status"]);
        Assert.False(string.IsNullOrEmpty((string?)prediction["error"]));
        Assert.Null(prediction["output"]);
    }

    [Fact]
    public async Task Cancel_RunningPrediction_ReturnsCanceledAndStaysCanceled()
    {
        using var created = await _replicate.SendAsync(HttpMethod.Post, "v1/models/a/b/predictions", """{"input":{}}""", ("X-Emulator-Job-Duration", "30"));
        var id = (string)(await created.ReadObjectAsync())["id"]!;

        using var canceled = await _replicate.PostAsync($"v1/predictions/{id}/cancel", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, canceled.StatusCode);
        var body = await canceled.ReadObjectAsync();
        Assert.Equal("canceled", (string?)body["status"]);
        Assert.NotNull(body["completed_at"]);

        using var again = await _replicate.PostAsync($"v1/predictions/{id}/cancel", null, TestContext.Current.CancellationToken);
        Assert.Equal("canceled", (string?)(await again.ReadObjectAsync())["status"]);
    }

    [Fact]
    public async Task CreatePrediction_MissingToken_Returns401ProblemJson()
    {
        using var anonymous = emulator.Client("replicate", authenticated: false);
        using var response = await anonymous.PostJsonAsync("v1/predictions", $$$"""{"version":"{{{Version}}}","input":{}}""");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadObjectAsync();
        Assert.Equal("Unauthenticated", (string?)problem["title"]);
        Assert.Equal("You did not pass an authentication token", (string?)problem["detail"]);
        Assert.Equal(401, (int?)problem["status"]);
    }

    [Fact]
    public async Task GetAccount_WrongToken_Returns401InvalidTokenDetail()
    {
        using var client = emulator.Client("replicate", authenticated: false);
        client.DefaultRequestHeaders.Authorization = new("Bearer", "r8_wrong");
        using var response = await client.GetAsync("v1/account", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("You did not pass a valid authentication token", (string?)(await response.ReadObjectAsync())["detail"]);
    }

    [Fact]
    public async Task GetAccount_ValidToken_ReturnsTypeAndUsername()
    {
        using var response = await _replicate.GetAsync("v1/account", TestContext.Current.CancellationToken);
        var account = await response.ReadObjectAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(account["type"]);
        Assert.NotNull(account["username"]);
    }

    [Fact]
    public async Task CreatePrediction_UnknownFieldAndNoInput_Returns422WithInvalidFields()
    {
        using var response = await _replicate.PostJsonAsync("v1/predictions", $$$"""{"version":"{{{Version}}}","inptu":{}}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var fields = (await response.ReadObjectAsync())["invalid_fields"]!.AsArray();
        Assert.Contains(fields, f => (string?)f!["type"] == "required" && (string?)f["description"] == "input is required");
        Assert.Contains(fields, f => (string?)f!["type"] == "additional_property_not_allowed" && (string?)f["description"] == "Additional property inptu is not allowed");
    }

    [Fact]
    public async Task CreatePrediction_MalformedVersion_Returns422InvalidVersion()
    {
        using var response = await _replicate.PostJsonAsync("v1/predictions", """{"version":"not a version!","input":{}}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("Invalid version or not permitted", (string?)(await response.ReadObjectAsync())["title"]);
    }

    [Fact]
    public async Task GetPrediction_Unknown_Returns404Detail()
    {
        using var response = await _replicate.GetAsync("v1/predictions/doesnotexist", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("The requested resource could not be found.", (string?)(await response.ReadObjectAsync())["detail"]);
    }

    [Fact]
    public async Task CreateTraining_MissingDestinationModel_Returns404ProblemJson()
    {
        using var response = await _replicate.PostJsonAsync("v1/models/ostris/flux-dev-lora-trainer/versions/abc/trainings", """{"destination":"aiserver/missing","input":{}}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadObjectAsync();
        Assert.Equal("The specified training destination does not exist", (string?)problem["detail"]);
        Assert.Equal(404, (int?)problem["status"]);
    }

    [Fact]
    public async Task CreateTraining_ExistingDestination_SucceedsWithNewVersionAndWeights()
    {
        using var created = await _replicate.PostJsonAsync("v1/models/ostris/flux-dev-lora-trainer/versions/abc/trainings", """{"destination":"aiserver/trained","input":{"steps":10}}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (string)(await created.ReadObjectAsync())["id"]!;

        var done = await Eventually.PollAsync(_replicate, $"v1/trainings/{id}", t => (string?)t["status"] == "succeeded", "the training to succeed");
        Assert.EndsWith($"/v1/trainings/{id}", (string?)done["urls"]!["get"], StringComparison.Ordinal);
        var version = (string)done["output"]!["version"]!;
        Assert.StartsWith("aiserver/trained:", version, StringComparison.Ordinal);
        var weights = await _replicate.DownloadAsync((string)done["output"]!["weights"]!);
        Assert.True(weights.Length > 8);

        using var model = await _replicate.GetAsync("v1/models/aiserver/trained", TestContext.Current.CancellationToken);
        Assert.Equal(version.Split(':')[1], (string?)(await model.ReadObjectAsync())["latest_version"]!["id"]);
        using var versionResponse = await _replicate.GetAsync($"v1/models/aiserver/trained/versions/{version.Split(':')[1]}", TestContext.Current.CancellationToken);
        Assert.Equal(version.Split(':')[1], (string?)(await versionResponse.ReadObjectAsync())["id"]);
        using var unknownVersion = await _replicate.GetAsync($"v1/models/aiserver/trained/versions/{new string('b', 64)}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, unknownVersion.StatusCode);
    }

    [Fact]
    public async Task CancelTraining_Running_ReturnsCanceled()
    {
        using var created = await _replicate.SendAsync(HttpMethod.Post, "v1/models/o/t/versions/abc/trainings", """{"destination":"aiserver/trained","input":{}}""", ("X-Emulator-Job-Duration", "00:00:30"));
        var id = (string)(await created.ReadObjectAsync())["id"]!;

        using var canceled = await _replicate.PostAsync($"v1/trainings/{id}/cancel", null, TestContext.Current.CancellationToken);

        Assert.Equal("canceled", (string?)(await canceled.ReadObjectAsync())["status"]);
    }

    [Fact]
    public async Task LanguageModelPrediction_Stream_SendsOutputTokensThenDone()
    {
        using var created = await _replicate.PostJsonAsync("v1/models/meta/meta-llama-3-8b-instruct/predictions", """{"input":{"prompt":"hi"}}""");
        var prediction = await created.ReadObjectAsync();
        var streamUrl = (string)prediction["urls"]!["stream"]!;

        // The stream URL needs no token (the SDKs send none).
        using var anonymous = emulator.Client("replicate", authenticated: false);
        var stream = await anonymous.GetStringAsync(streamUrl, TestContext.Current.CancellationToken);

        var events = stream.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Split('\n')).ToList();
        Assert.All(events, e => Assert.StartsWith("id: ", e[1], StringComparison.Ordinal));
        Assert.Equal("This is an emulated answer.", string.Concat(events.Where(e => e[0] == "event: output").Select(e => e[2]["data: ".Length..])));
        Assert.Equal(["event: done", "data: {}"], [events[^1][0], events[^1][2]]);
    }

    [Fact]
    public async Task CanceledLanguageModelPrediction_Stream_EndsWithDoneCanceled()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/models/meta/meta-llama-3-8b-instruct/predictions") { Content = Http.Json("""{"input":{"prompt":"hi"}}""") };
        request.Headers.Add("X-Emulator-Job-Duration", "30");
        using var created = await _replicate.SendAsync(request, TestContext.Current.CancellationToken);
        var prediction = await created.ReadObjectAsync();
        using var canceled = await _replicate.PostAsync($"v1/predictions/{prediction["id"]}/cancel", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, canceled.StatusCode);

        var stream = await _replicate.GetStringAsync((string)prediction["urls"]!["stream"]!, TestContext.Current.CancellationToken);

        Assert.DoesNotContain("event: output", stream, StringComparison.Ordinal);
        Assert.Contains("event: done", stream, StringComparison.Ordinal);
        Assert.Contains("""data: {"reason":"canceled"}""", stream, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImagePrediction_HasNoStreamUrl_AndTheStreamPathIs404()
    {
        using var created = await _replicate.PostJsonAsync("v1/models/black-forest-labs/flux-schnell/predictions", """{"input":{"prompt":"x"}}""");
        var prediction = await created.ReadObjectAsync();

        Assert.Null(prediction["urls"]!["stream"]);
        using var stream = await _replicate.GetAsync($"stream/{prediction["id"]}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, stream.StatusCode);
    }

    [Fact]
    public async Task UploadFile_MetadataAsJsonFilePart_IsKept()
    {
        // replicate-javascript 1.x appends metadata as a Blob (a file part of type application/json), not a text field.
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent([1, 2, 3]), "content", "blob_1");
        var metadata = new StringContent("""{"purpose":"sdk"}""");
        metadata.Headers.ContentType = new("application/json");
        form.Add(metadata, "metadata", "blob");

        using var created = await _replicate.PostAsync("v1/files", form, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("sdk", (string?)(await created.ReadObjectAsync())["metadata"]!["purpose"]);
    }

    [Fact]
    public async Task UploadFile_Multipart_StoresContentWithChecksumAndDeletes()
    {
        var content = "training images zip"u8.ToArray();
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(content);
        part.Headers.ContentType = new("application/zip");
        form.Add(part, "content", "data.zip");

        using var created = await _replicate.PostAsync("v1/files", form, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var file = await created.ReadObjectAsync();
        Assert.Equal(content.Length, (int?)file["size"]);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)), (string?)file["checksums"]!["sha256"]);
        Assert.Equal(content, await _replicate.DownloadAsync($"v1/files/{file["id"]}/download"));

        using var deleted = await _replicate.DeleteAsync($"v1/files/{file["id"]}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await _replicate.GetAsync($"v1/files/{file["id"]}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task ListPredictions_AfterCreates_ReturnsPaginatedNewestFirst()
    {
        using var first = await _replicate.PostJsonAsync("v1/models/a/b/predictions", """{"input":{"n":1}}""");
        using var second = await _replicate.PostJsonAsync("v1/models/a/b/predictions", """{"input":{"n":2}}""");

        using var list = await _replicate.GetAsync("v1/predictions", TestContext.Current.CancellationToken);
        var page = await list.ReadObjectAsync();

        Assert.Null(page["next"]);
        Assert.Equal(2, page["results"]!.AsArray().Count);
    }
}
