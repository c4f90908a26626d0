using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace AiServer.Tests.ProviderEmulator;

[Collection(EmulatorCollection.Name)]
public sealed class BflEmulatorTests(EmulatorFixture emulator) : IAsyncLifetime
{
    private readonly HttpClient _bfl = emulator.Client("bfl");

    public async ValueTask InitializeAsync() => await emulator.ResetAsync();

    public ValueTask DisposeAsync()
    {
        _bfl.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Generate_Polled_GoesPendingToReadyWithJpegSample()
    {
        using var submitted = await _bfl.PostJsonAsync("v1/flux-pro-1.1", """{"prompt":"a cat","seed":7}""");
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        var task = await submitted.ReadObjectAsync();
        var pollingUrl = (string)task["polling_url"]!;
        Assert.Contains("/bfl/v1/get_result?id=", pollingUrl, StringComparison.Ordinal);

        var ready = await Eventually.PollAsync(_bfl, pollingUrl, r => (string?)r["status"] != "Pending", "the task to leave Pending");
        Assert.Equal("Ready", (string?)ready["status"]);
        Assert.Equal(7, (int?)ready["result"]!["seed"]);
        MediaAssert.Jpeg(await _bfl.DownloadAsync((string)ready["result"]!["sample"]!));
    }

    [Fact]
    public async Task GetResult_LongRunningTask_IsPendingWithPartialProgress()
    {
        using var submitted = await _bfl.SendAsync(HttpMethod.Post, "v1/flux-pro-1.1", """{"prompt":"a cat"}""", ("X-Emulator-Job-Duration", "30"));
        var id = (string)(await submitted.ReadObjectAsync())["id"]!;

        using var response = await _bfl.GetAsync($"v1/get_result?id={id}", TestContext.Current.CancellationToken);
        var result = await response.ReadObjectAsync();

        Assert.Equal("Pending", (string?)result["status"]);
        Assert.Null(result["result"]);
        Assert.InRange((double)result["progress"]!, 0, 0.99);
    }

    [Fact]
    public async Task Generate_PngFormat_SampleIsPng()
    {
        using var submitted = await _bfl.PostJsonAsync("v1/flux-dev", """{"prompt":"a cat","output_format":"png"}""");
        var id = (string)(await submitted.ReadObjectAsync())["id"]!;

        var ready = await Eventually.PollAsync(_bfl, $"v1/get_result?id={id}", r => (string?)r["status"] == "Ready", "the task to be Ready");

        MediaAssert.Png(await _bfl.DownloadAsync((string)ready["result"]!["sample"]!));
    }

    [Fact]
    public async Task Generate_WithWebhookSecret_DeliversHmacSignedReadyPayload()
    {
        await using var listener = await WebhookListener.StartAsync();
        using var submitted = await _bfl.PostJsonAsync("v1/flux-pro-1.1-ultra", $$$"""{"prompt":"a cat","webhook_url":"{{{listener.Url}}}","webhook_secret":"bfl-secret"}""");
        var accepted = await submitted.ReadObjectAsync();
        Assert.Equal("Pending", (string?)accepted["status"]);

        var hook = await listener.NextAsync("the BFL webhook");

        Assert.Equal((string?)accepted["id"], (string?)hook.Json["id"]);
        Assert.Equal("Ready", (string?)hook.Json["status"]);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("bfl-secret"), hook.Body));
        Assert.Equal(expected, hook.Headers["X-BFL-Signature"]);
    }

    [Fact]
    public async Task Generate_ModeratedOutcome_EndsContentModerated()
    {
        using var submitted = await _bfl.PostJsonAsync("v1/flux-pro-1.1", """{"prompt":"emulator:moderated"}""");
        var id = (string)(await submitted.ReadObjectAsync())["id"]!;

        var done = await Eventually.PollAsync(_bfl, $"v1/get_result?id={id}", r => (string?)r["status"] != "Pending", "the task to end");

        Assert.Equal("Content Moderated", (string?)done["status"]);
    }

    [Fact]
    public async Task GetResult_UnknownId_ReturnsTaskNotFound()
    {
        using var response = await _bfl.GetAsync("v1/get_result?id=nope", TestContext.Current.CancellationToken);

        Assert.Equal("Task not found", (string?)(await response.ReadObjectAsync())["status"]);
    }

    [Fact]
    public async Task Generate_MissingKey_Returns403NotAuthenticated()
    {
        using var anonymous = emulator.Client("bfl", authenticated: false);
        using var response = await anonymous.PostJsonAsync("v1/flux-pro-1.1", """{"prompt":"a cat"}""");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Not authenticated", (string?)(await response.ReadObjectAsync())["detail"]);
    }

    [Fact]
    public async Task Generate_WrongKey_Returns401Detail()
    {
        using var client = emulator.Client("bfl", authenticated: false);
        client.DefaultRequestHeaders.Add("x-key", "wrong");
        using var response = await client.GetAsync("v1/credits", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotNull((await response.ReadObjectAsync())["detail"]);
    }

    [Fact]
    public async Task Generate_MissingPrompt_Returns422ValidationDetail()
    {
        using var response = await _bfl.PostJsonAsync("v1/flux-pro-1.1", """{"seed":1}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("prompt", (string?)(await response.ReadObjectAsync())["detail"]!.AsArray()[0]!["loc"]!.AsArray()[1]);
    }

    [Fact]
    public async Task Finetune_Lifecycle_ReadyListedDetailedUsableAndDeletable()
    {
        var zip = Convert.ToBase64String([0x50, 0x4B, 0x05, 0x06, .. new byte[18]]);
        using var created = await _bfl.PostJsonAsync("v1/finetune", $$$"""{"file_data":"{{{zip}}}","finetune_comment":"me","mode":"character","trigger_word":"TOK"}""");
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var id = (string)(await created.ReadObjectAsync())["finetune_id"]!;

        await Eventually.PollAsync(_bfl, $"v1/get_result?id={id}", r => (string?)r["status"] == "Ready", "the finetune to be Ready");
        using var list = await _bfl.GetAsync("v1/my_finetunes", TestContext.Current.CancellationToken);
        Assert.Contains((await list.ReadObjectAsync())["finetunes"]!.AsArray(), f => (string?)f == id);
        using var details = await _bfl.GetAsync($"v1/finetune_details?finetune_id={id}", TestContext.Current.CancellationToken);
        Assert.Equal("character", (string?)(await details.ReadObjectAsync())["finetune_details"]!["mode"]);
        using var inference = await _bfl.PostJsonAsync("v1/flux-pro-1.1-ultra-finetuned", $$$"""{"finetune_id":"{{{id}}}","prompt":"TOK"}""");
        Assert.Equal(HttpStatusCode.OK, inference.StatusCode);

        using var deleted = await _bfl.PostJsonAsync("v1/delete_finetune", $$$"""{"finetune_id":"{{{id}}}"}""");
        Assert.Equal(id, (string?)(await deleted.ReadObjectAsync())["deleted_finetune_id"]);
        using var gone = await _bfl.GetAsync($"v1/finetune_details?finetune_id={id}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task GetCredits_ValidKey_ReturnsCredits()
    {
        using var response = await _bfl.GetAsync("v1/credits", TestContext.Current.CancellationToken);

        Assert.True((double)(await response.ReadObjectAsync())["credits"]! > 0);
    }
}
