using System.Net;
using System.Text.Json.Nodes;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.Jobs;

/// <summary>The workers under failure: killed or stopped mid-job, a provider's breaker OPEN, a provider failing to the last attempt.</summary>
[Collection("Jobs")]
public sealed class JobWorkerTests(JobsFixture app)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task WorkerKilledMidJob_JobCompletesOnAnotherWorker_WithOneProviderSubmission()
    {
        // Arrange: a Replicate prediction (2 s in the emulator), recorded as submitted.
        await ClearRequestsAsync();
        var id = await JobsFixture.SubmitOkAsync(app.ClientA, "image-generation", """{"prompt":"kill -9"}""");
        await WaitForProviderJobAsync(id);

        // Act: SIGKILL the workers while the prediction runs, then start a new workers process.
        app.Workers.Kill();
        await app.Workers.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await app.StartWorkersAsync();

        // Assert: the new worker reclaims the message after the visibility timeout and resumes polling.
        var job = await app.WaitForStatusAsync(app.ClientA, id, "succeeded", JobTimeout);
        var creates = (await app.Emulator.RequestsAsync("replicate")).Count(r => r!["method"]!.GetValue<string>() == "POST" && r["path"]!.GetValue<string>().EndsWith("/predictions", StringComparison.Ordinal));
        Assert.Equal(1, creates);
        Assert.True(job["attempts"]!.GetValue<int>() >= 2, $"the resumed run is a second attempt: {job.ToJsonString()}");
    }

    [Fact]
    public async Task WorkerStoppedMidJob_HandsTheJobBack_AndItCompletesWithOneSubmission()
    {
        // Arrange
        await ClearRequestsAsync();
        var id = await JobsFixture.SubmitOkAsync(app.ClientA, "model-training", $$"""{"images_url":"{{app.FileUrl("images.zip")}}","destination":"aiserver/trained"}""");
        await WaitForProviderJobAsync(id);

        // Act: SIGTERM (a rolling restart): the job cannot finish within Workers:FinishGrace, so it is handed back.
        app.Workers.Terminate();
        Assert.Equal(0, await app.Workers.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("handed back to the queue", app.Workers.Output, StringComparison.Ordinal);
        var handedBack = await JobsFixture.GetJobAsync(app.ClientA, id);
        Assert.Equal("queued", handedBack["status"]!.GetValue<string>());
        await app.StartWorkersAsync();

        // Assert: taken at once by the new worker (no visibility timeout to wait out), resumed, one training created.
        await app.WaitForStatusAsync(app.ClientA, id, "succeeded", JobTimeout);
        var creates = (await app.Emulator.RequestsAsync("replicate")).Count(r => r!["method"]!.GetValue<string>() == "POST" && r["path"]!.GetValue<string>().EndsWith("/trainings", StringComparison.Ordinal));
        Assert.Equal(1, creates);
    }

    [Fact]
    public async Task ProviderBreakerOpen_JobWaitsForProvider_ThenCompletesAfterRecovery()
    {
        // Arrange: ElevenLabs isolated fleet-wide.
        await ClearRequestsAsync();
        await app.AdminPostAsync("admin/circuit-breakers/elevenlabs/force-open?reason=provider%20outage%20drill");
        string id;
        try
        {
            // Act
            id = await JobsFixture.SubmitOkAsync(app.ClientA, "speech", """{"text":"wait for me","voice_id":"21m00Tcm4TlvDq8ikWAM"}""");
            JsonObject job = [];
            await Wait.UntilAsync(
                async () => (job = await JobsFixture.GetJobAsync(app.ClientA, id))["status"]!.GetValue<string>() == "waiting_for_provider",
                JobTimeout,
                () => $"job {id} to show waiting_for_provider; last: {job.ToJsonString()}");

            // Assert: it waits with the breaker's reason, and nothing reached the provider.
            Assert.Equal("elevenlabs", job["waiting"]!["provider"]!.GetValue<string>());
            Assert.Equal("provider outage drill", job["waiting"]!["reason"]!.GetValue<string>());
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            Assert.DoesNotContain(await app.Emulator.RequestsAsync("elevenlabs"), r => r!["path"]!.GetValue<string>().Contains("text-to-speech", StringComparison.Ordinal));
        }
        finally
        {
            await app.AdminPostAsync("admin/circuit-breakers/elevenlabs/reset");
        }

        var done = await app.WaitForStatusAsync(app.ClientA, id, "succeeded", JobTimeout);
        Assert.Null(done["waiting"]);
        Assert.Null(done["error"]);
    }

    [Fact]
    public async Task ProviderFailingToTheLastAttempt_JobFailsIntoDeadLetters_AndRequeueRunsItAgain()
    {
        // Arrange: every lip-sync creation fails with a 500 (Jobs:MaxAttempts is 2 here; the breaker's threshold is high).
        await app.Emulator.AddFaultAsync(new { provider = "synclabs", path = "/v2/generate", method = "POST", kind = "error", statusCode = 500 });
        string id;
        try
        {
            id = await JobsFixture.SubmitOkAsync(app.ClientA, "lip-sync", $$"""{"video_url":"{{app.FileUrl("face.mp4")}}","audio_url":"{{app.FileUrl("speech.wav")}}"}""");

            // Act
            var failed = await app.WaitForStatusAsync(app.ClientA, id, "failed", JobTimeout);

            // Assert: failed with the provider's error after both attempts, and dead-lettered.
            Assert.Equal("provider_unavailable", failed["error"]!["code"]!.GetValue<string>());
            Assert.Equal(500, failed["error"]!["provider_status"]!.GetValue<int>());
            Assert.Equal(2, failed["attempts"]!.GetValue<int>());
        }
        finally
        {
            using var clear = await app.Emulator.Control.DeleteAsync("_emulator/faults", TestContext.Current.CancellationToken);
        }

        var letters = await app.AdminGetAsync("admin/jobs/dead-letters?kind=lip-sync");
        var letter = letters.Single(l => l!["jobId"]!.GetValue<string>() == id)!;
        Assert.Contains("provider_unavailable", letter["error"]!.GetValue<string>(), StringComparison.Ordinal);

        // Act: an operator requeues it once the provider is back.
        await app.AdminPostAsync($"admin/jobs/dead-letters/lip-sync/{letter["entryId"]!.GetValue<string>()}/requeue");

        // Assert
        var done = await app.WaitForStatusAsync(app.ClientA, id, "succeeded", JobTimeout);
        Assert.Null(done["error"]);
        Assert.DoesNotContain(await app.AdminGetAsync("admin/jobs/dead-letters?kind=lip-sync"), l => l!["jobId"]!.GetValue<string>() == id);
    }

    [Fact]
    public async Task ProviderRejectsTheInput_JobFailsWithoutRetryOrDeadLetter()
    {
        // The provider refuses the input (a 422 from Sync): the request was at fault, so no second attempt.
        await app.Emulator.AddFaultAsync(new { provider = "synclabs", path = "/v2/generate", method = "POST", kind = "error", statusCode = 422, count = 1 });
        var id = await JobsFixture.SubmitOkAsync(app.ClientA, "lip-sync", $$"""{"video_url":"{{app.FileUrl("face.mp4")}}","audio_url":"{{app.FileUrl("speech.wav")}}"}""");

        var failed = await app.WaitForStatusAsync(app.ClientA, id, "failed", JobTimeout);

        Assert.Equal("invalid_input", failed["error"]!["code"]!.GetValue<string>());
        Assert.Equal(1, failed["attempts"]!.GetValue<int>());
        Assert.DoesNotContain(await app.AdminGetAsync("admin/jobs/dead-letters?kind=lip-sync"), l => l!["jobId"]!.GetValue<string>() == id);
    }

    private async Task ClearRequestsAsync()
    {
        using var response = await app.Emulator.Control.DeleteAsync("_emulator/requests", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private async Task WaitForProviderJobAsync(string id)
    {
        JsonObject job = [];
        await Wait.UntilAsync(
            async () => (job = await JobsFixture.GetJobAsync(app.ClientA, id))["provider_job_id"] is not null,
            JobTimeout,
            () => $"job {id} to be submitted to its provider; last: {job.ToJsonString()}{Environment.NewLine}{JobsFixture.Tail(app.Workers)}");
    }
}
