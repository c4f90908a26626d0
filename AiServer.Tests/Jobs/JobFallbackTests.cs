using System.Text.Json.Nodes;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.Jobs;

/// <summary>Provider fallback for image-generation (replicate then bfl, the default order): when it moves and when it must not.</summary>
[Collection("Jobs")]
public sealed class JobFallbackTests(JobsFixture app)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ReplicateBreakerOpen_ImageGenerationRunsOnBfl_AndTheRecordSaysWhy()
    {
        await ClearRequestsAsync();
        await app.AdminPostAsync("admin/circuit-breakers/replicate/force-open?reason=fallback%20drill");
        try
        {
            var id = await JobsFixture.SubmitOkAsync(app.ClientA, "image-generation", """{"prompt":"moves to bfl"}""");

            var job = await app.WaitForStatusAsync(app.ClientA, id, "succeeded", JobTimeout);

            Assert.Equal("bfl", job["provider"]!.GetValue<string>());
            var move = job["fallbacks"]!.AsArray().Single()!;
            Assert.Equal("replicate", move["from"]!.GetValue<string>());
            Assert.Equal("bfl", move["to"]!.GetValue<string>());
            Assert.Equal("breaker_open", move["reason"]!.GetValue<string>());
            Assert.Equal("fallback drill", move["detail"]!.GetValue<string>());
            Assert.Empty(await app.Emulator.RequestsAsync("replicate"));
            Assert.Contains(await app.Emulator.RequestsAsync("bfl"), r => r!["method"]!.GetValue<string>() == "POST");
        }
        finally
        {
            await app.AdminPostAsync("admin/circuit-breakers/replicate/reset");
        }
    }

    [Fact]
    public async Task PinnedProvider_NeverFallsBack_ItWaits()
    {
        await ClearRequestsAsync();
        await app.AdminPostAsync("admin/circuit-breakers/replicate/force-open?reason=pinned%20drill");
        string id;
        try
        {
            id = await JobsFixture.SubmitOkAsync(app.ClientA, "image-generation", """{"prompt":"stays on replicate","provider":"replicate"}""");
            JsonObject job = [];
            await Wait.UntilAsync(
                async () => (job = await JobsFixture.GetJobAsync(app.ClientA, id))["status"]!.GetValue<string>() == "waiting_for_provider",
                JobTimeout,
                () => $"the pinned job to wait; last: {job.ToJsonString()}");
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            Assert.Empty(await app.Emulator.RequestsAsync("bfl"));
        }
        finally
        {
            await app.AdminPostAsync("admin/circuit-breakers/replicate/reset");
        }

        var done = await app.WaitForStatusAsync(app.ClientA, id, "succeeded", JobTimeout);
        Assert.Equal("replicate", done["provider"]!.GetValue<string>());
        Assert.Null(done["fallbacks"]);
    }

    [Fact]
    public async Task ReplicateFailingBeforeAccepting_MovesToBflAfterItsAttempts()
    {
        await ClearRequestsAsync();
        await app.Emulator.AddFaultAsync(new { provider = "replicate", path = "/v1/models/*/predictions", method = "POST", kind = "error", statusCode = 500 });
        try
        {
            var id = await JobsFixture.SubmitOkAsync(app.ClientA, "image-generation", """{"prompt":"replicate is failing"}""");

            var job = await app.WaitForStatusAsync(app.ClientA, id, "succeeded", JobTimeout);

            Assert.Equal("bfl", job["provider"]!.GetValue<string>());
            var move = job["fallbacks"]!.AsArray().Single()!;
            Assert.Equal("provider_error", move["reason"]!.GetValue<string>());
            // Jobs:MaxAttempts is 2 here; a create that reached the provider is not retried by the pipeline.
            Assert.Equal(2, (await app.Emulator.RequestsAsync("replicate")).Count(r => r!["method"]!.GetValue<string>() == "POST"));
        }
        finally
        {
            using var clear = await app.Emulator.Control.DeleteAsync("_emulator/faults", TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task ReplicateFailingAfterAccepting_NoFallback_NoSecondSubmission()
    {
        await ClearRequestsAsync();
        await app.Emulator.AddFaultAsync(new { provider = "replicate", path = "/v1/predictions/*", method = "GET", kind = "error", statusCode = 500 });
        try
        {
            var id = await JobsFixture.SubmitOkAsync(app.ClientA, "image-generation", """{"prompt":"accepted, then failing"}""");

            // Polling fails; the job ends failed after its attempts, or succeeded when Replicate's webhook reports the
            // result (the fixture gives the providers our webhook URL). Either way it stays on Replicate.
            JsonObject job = [];
            await Wait.UntilAsync(
                async () => (job = await JobsFixture.GetJobAsync(app.ClientA, id))["status"]!.GetValue<string>() is "failed" or "succeeded",
                JobTimeout,
                () => $"job {id} to end; last: {job.ToJsonString()}");

            Assert.Equal("replicate", job["provider"]!.GetValue<string>());
            Assert.NotNull(job["provider_job_id"]);
            Assert.Null(job["fallbacks"]);
            Assert.Equal(1, (await app.Emulator.RequestsAsync("replicate")).Count(r => r!["method"]!.GetValue<string>() == "POST"));
            Assert.DoesNotContain(await app.Emulator.RequestsAsync("bfl"), r => r!["method"]!.GetValue<string>() == "POST");
        }
        finally
        {
            using var clear = await app.Emulator.Control.DeleteAsync("_emulator/faults", TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task CaptionSpaceFailing_CaptionComesFromTheInferenceRoute()
    {
        await app.Emulator.AddFaultAsync(new { provider = "huggingface", path = "/spaces/*", kind = "error", statusCode = 502 });
        try
        {
            var id = await JobsFixture.SubmitOkAsync(app.ClientA, "image-caption", $$"""{"image_url":"{{app.FileUrl("photo.png")}}"}""");

            var job = await app.WaitForStatusAsync(app.ClientA, id, "succeeded", JobTimeout);

            Assert.Equal("inference", job["output"]!["data"]!["route"]!.GetValue<string>());
            Assert.False(string.IsNullOrEmpty(job["output"]!["data"]!["caption"]!.GetValue<string>()));
        }
        finally
        {
            using var clear = await app.Emulator.Control.DeleteAsync("_emulator/faults", TestContext.Current.CancellationToken);
        }
    }

    private async Task ClearRequestsAsync()
    {
        using var response = await app.Emulator.Control.DeleteAsync("_emulator/requests", TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
