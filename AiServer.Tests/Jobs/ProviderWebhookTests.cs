using System.Net.Http.Json;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AiServer.Tests.Infrastructure;
using StackExchange.Redis;

namespace AiServer.Tests.Jobs;

/// <summary>Inbound provider webhooks: only verified, fresh, new and forward-moving ones count; a webhook completion ends polling.</summary>
[Collection("Jobs")]
public sealed class ProviderWebhookTests(JobsFixture app)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ForgedReplayedStaleDuplicatedOrForeign_AreRefusedOrIgnored_AndNothingChanges()
    {
        // Arrange: a Replicate prediction in work (2 s in the emulator), with its provider id recorded.
        var ct = TestContext.Current.CancellationToken;
        var id = await JobsFixture.SubmitOkAsync(app.ClientA, "image-generation", """{"prompt":"webhook drill"}""");
        await WaitForProviderJobAsync(id);
        var predictionId = (await ProviderJobIdAsync(id))!;
        using var redis = await ConnectionMultiplexer.ConnectAsync(app.Redis.ConnectionString);
        var push = (RedisKey)(app.Prefix + "{jobs}:push:" + id);
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        var processing = Body(predictionId, "processing");

        // Act + Assert: forged (another secret), stale (signed 10 minutes ago), a webhook for no job and for another provider id.
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(id, "msg_forged", now, processing, "whsec_" + Convert.ToBase64String("not-the-secret"u8)));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(id, "msg_stale", now - 600, processing));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(id, "msg_unsigned", now, processing, secret: null));
        Assert.False(await redis.GetDatabase().KeyExistsAsync(push), "an unverified webhook recorded nothing");
        Assert.Equal(HttpStatusCode.NotFound, await PostAsync("job_000000000000_0000000000000000", "msg_unknown", now, processing));
        Assert.Equal(HttpStatusCode.NotFound, await PostAsync(id, "msg_foreign", now, Body("someone-elses-prediction", "succeeded")));
        Assert.False(await redis.GetDatabase().KeyExistsAsync(push), "an unknown or foreign webhook recorded nothing");

        // A genuine one counts once; its replay (same webhook-id) and an older state (starting after processing) are ignored.
        Assert.Equal(HttpStatusCode.OK, await PostAsync(id, "msg_genuine", now, processing));
        Assert.Equal("processing", JsonNode.Parse((string)(await redis.GetDatabase().HashGetAsync(push, "body"))!)!["status"]!.GetValue<string>());
        Assert.Equal("ignored", await PostForStatusAsync(id, "msg_genuine", now, processing));
        Assert.Equal("ignored", await PostForStatusAsync(id, "msg_older", now, Body(predictionId, "starting")));
        Assert.Equal("processing", JsonNode.Parse((string)(await redis.GetDatabase().HashGetAsync(push, "body"))!)!["status"]!.GetValue<string>());

        // The job itself is untouched by all this and completes normally.
        var done = await app.WaitForStatusAsync(app.ClientA, id, "succeeded", Timeout);
        Assert.Equal(HttpStatusCode.OK, await PostAsync(id, "msg_after_end", now, Body(predictionId, "failed")));
        Assert.Equal("succeeded", (await JobsFixture.GetJobAsync(app.ClientA, id))["status"]!.GetValue<string>());
        Assert.Equal(done["updated_at"]!.GetValue<string>(), (await JobsFixture.GetJobAsync(app.ClientA, id))["updated_at"]!.GetValue<string>());
        var metrics = await app.Anonymous.GetStringAsync("metrics", ct);
        Assert.True(
            metrics.Split('\n').Any(l => l.StartsWith("webhooks_inbound_verification_failures_total{", StringComparison.Ordinal) && l.Contains("provider=\"replicate\"", StringComparison.Ordinal)),
            "webhooks_inbound_verification_failures_total{provider=\"replicate\"} in /metrics:\n" + string.Join('\n', metrics.Split('\n').Where(l => l.Contains("webhook", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task JobCompletedByWebhook_NeverPollsAgain()
    {
        // Arrange: one job lets the api see Replicate's webhooks arrive (its jobs then poll at the 30 s fallback).
        var warmUp = await JobsFixture.SubmitOkAsync(app.ClientA, "image-generation", """{"prompt":"warm up"}""");
        await app.WaitForStatusAsync(app.ClientA, warmUp, "succeeded", Timeout);

        // Act
        var id = await JobsFixture.SubmitOkAsync(app.ClientA, "image-generation", """{"prompt":"push, not poll"}""");
        await app.WaitForStatusAsync(app.ClientA, id, "succeeded", Timeout);
        var predictionId = await ProviderJobIdAsync(id);

        // Assert: the emulator delivered the completion to us; the worker read the prediction at most once (its first
        // look, right after creating it) and never after: the webhook ended it.
        var webhooks = (await app.Emulator.Control.GetFromJsonAsync<JsonArray>("_emulator/webhooks?provider=replicate", TestContext.Current.CancellationToken))!;
        Assert.Contains(webhooks, w => w!["url"]!.GetValue<string>().Contains(id, StringComparison.Ordinal) && w["outcome"]!.GetValue<string>() == "delivered");
        var polls = (await app.Emulator.RequestsAsync("replicate")).Count(r => r!["method"]!.GetValue<string>() == "GET" && r["path"]!.GetValue<string>().EndsWith("/predictions/" + predictionId, StringComparison.Ordinal));
        Assert.True(polls <= 1, $"the prediction was polled {polls} times");
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        var after = (await app.Emulator.RequestsAsync("replicate")).Count(r => r!["method"]!.GetValue<string>() == "GET" && r["path"]!.GetValue<string>().EndsWith("/predictions/" + predictionId, StringComparison.Ordinal));
        Assert.Equal(polls, after);
    }

    [Theory]
    [InlineData("replicate", "image-generation", """{"prompt":"signed by replicate"}""")]
    [InlineData("bfl", "image-generation", """{"prompt":"signed by bfl","provider":"bfl"}""")]
    [InlineData("synclabs", "lip-sync", """{"video_url":"{files}face.mp4","audio_url":"{files}speech.wav"}""")]
    public async Task EmulatorWebhooks_OfEveryProvider_AreVerifiedAndAccepted(string provider, string kind, string body)
    {
        // Act: a job whose provider calls back with its own signature scheme (Standard Webhooks, HMAC header, Sync-Signature).
        var id = await JobsFixture.SubmitOkAsync(app.ClientA, kind, body.Replace("{files}", app.FileUrl(string.Empty), StringComparison.Ordinal));
        await app.WaitForStatusAsync(app.ClientA, id, "succeeded", Timeout);

        // Assert: the provider's webhook for this job was answered 2xx (verified, matched, recorded), none refused.
        JsonArray webhooks = [];
        await Wait.UntilAsync(
            async () => (webhooks = (await app.Emulator.Control.GetFromJsonAsync<JsonArray>($"_emulator/webhooks?provider={provider}", TestContext.Current.CancellationToken))!)
                .Any(w => w!["url"]!.GetValue<string>().Contains(id, StringComparison.Ordinal)),
            Timeout,
            () => $"the emulator's {provider} webhook for {id}; log: {webhooks.ToJsonString()}");
        var mine = webhooks.Where(w => w!["url"]!.GetValue<string>().Contains(id, StringComparison.Ordinal)).ToArray();
        Assert.All(mine, w => Assert.True(w!["outcome"]!.GetValue<string>() == "delivered", $"{provider} webhook: {w.ToJsonString()}"));
    }

    private static byte[] Body(string predictionId, string status) =>
        Encoding.UTF8.GetBytes(new JsonObject { ["id"] = predictionId, ["status"] = status, ["model"] = "black-forest-labs/flux-schnell", ["input"] = new JsonObject() }.ToJsonString());

    private async Task<HttpStatusCode> PostAsync(string jobId, string messageId, long timestamp, byte[] body, string? secret = JobsFixture.ReplicateWebhookSecret)
    {
        using var response = await SendAsync(jobId, messageId, timestamp, body, secret);
        return response.StatusCode;
    }

    private async Task<string> PostForStatusAsync(string jobId, string messageId, long timestamp, byte[] body)
    {
        using var response = await SendAsync(jobId, messageId, timestamp, body, JobsFixture.ReplicateWebhookSecret);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"webhook answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!["status"]!.GetValue<string>();
    }

    private Task<HttpResponseMessage> SendAsync(string jobId, string messageId, long timestamp, byte[] body, string? secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/replicate?job=" + jobId) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("webhook-id", messageId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (secret is not null)
        {
            request.Headers.TryAddWithoutValidation("webhook-signature", StandardWebhooksReference.Sign(secret, messageId, timestamp, body));
        }

        return app.Anonymous.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private Task WaitForProviderJobAsync(string id) =>
        Wait.UntilAsync(async () => await ProviderJobIdAsync(id) is not null, Timeout, () => $"job {id} to record its prediction");

    /// <summary>The prediction id the worker recorded (from the record in Redis: the API does not show it).</summary>
    private async Task<string?> ProviderJobIdAsync(string id)
    {
        var data = await app.Redis.CliAsync("HGET", app.Prefix + "{jobs}:job:" + id, "data");
        return string.IsNullOrWhiteSpace(data) ? null : JsonNode.Parse(data)?["provider_job_id"]?.GetValue<string>();
    }
}
