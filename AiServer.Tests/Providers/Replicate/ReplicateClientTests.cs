using System.Text.Json.Nodes;
using AiServer.Providers;
using AiServer.Providers.Replicate;
using AiServer.ServiceDefaults.Resilience;
using AiServer.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.Tests.Providers.Replicate;

public sealed class ReplicateClientTests(ProviderEmulatorFixture emulator) : IClassFixture<ProviderEmulatorFixture>
{
    private const string Version = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_OfficialModelSlowerThanPreferWait_PollsUntilSucceeded()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var client = host.Get<ReplicateClient>();

        var prediction = await client.RunAsync("black-forest-labs/flux-schnell", new JsonObject { ["prompt"] = "a cat" }, "test-run", cancellationToken: Ct);

        Assert.Equal(ReplicateStatus.Succeeded, prediction.State);
        Assert.NotNull(prediction.Output);
        var requests = await emulator.RequestsAsync("replicate");
        Assert.Contains(requests, r => (string?)r!["path"] == $"/replicate/v1/predictions/{prediction.Id}" && (string?)r["method"] == "GET");
    }

    [Fact]
    public async Task RunAsync_VersionReference_PostsToPredictionsWithVersionAndPreferWait()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var prediction = await host.Get<ReplicateClient>().RunAsync($"aiserver/trained:{Version}", new JsonObject { ["prompt"] = "x" }, cancellationToken: Ct);

        Assert.Equal("succeeded", prediction.Status);
        var create = (await emulator.RequestsAsync("replicate")).Last(r => (string?)r!["path"] == "/replicate/v1/predictions" && (string?)r["method"] == "POST")!;
        Assert.Contains("wait=1", create["headers"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ModelFails_ThrowsJobFailedWithProviderError()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var ex = await Assert.ThrowsAsync<ProviderJobFailedException>(() =>
            host.Get<ReplicateClient>().RunAsync("owner/model", new JsonObject { ["prompt"] = "emulator:failed" }, cancellationToken: Ct));

        Assert.Equal("failed", ex.Status);
        Assert.Equal(ProviderNames.Replicate, ex.Provider);
        Assert.False(string.IsNullOrEmpty(ex.ProviderMessage));
    }

    [Theory]
    [InlineData("not-a-version")]
    [InlineData("owner/name/../../account")]
    [InlineData("owner/../v1/account")]
    [InlineData("owner/name?x=1")]
    [InlineData("owner/na me")]
    [InlineData("owner/name:not-hex")]
    [InlineData("owner/name:5c7d5dc6")]
    [InlineData("/name")]
    public async Task RunAsync_MalformedModel_ArgumentExceptionWithoutARequest(string model)
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var before = (await emulator.RequestsAsync("replicate")).Count;

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => host.Get<ReplicateClient>().RunAsync(model, new JsonObject(), cancellationToken: Ct));

        Assert.Equal("model", ex.ParamName);
        Assert.Contains("owner/name", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, (await emulator.RequestsAsync("replicate")).Count);
    }

    [Fact]
    public async Task CreateTrainingAsync_ModelWithPathCharacters_ArgumentException()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => host.Get<ReplicateClient>().CreateTrainingAsync("o/m/../../x", Version, "aiserver/trained", new JsonObject(), cancellationToken: Ct));

        Assert.Equal("model", ex.ParamName);
    }

    [Fact]
    public async Task HealthCheckAsync_WrongKey_Throws401AndNeverLeaksTheKey()
    {
        const string wrongKey = "r8_wrong_key_that_must_not_leak";
        await using var host = await ProviderTestHost.StartAsync(emulator, new Dictionary<string, string?> { ["Providers:Replicate:ApiKey"] = wrongKey });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => host.Get<ReplicateClient>().HealthCheckAsync(Ct));

        Assert.Equal(401, ex.StatusCode);
        Assert.Equal("Unauthenticated", ex.ErrorCode);
        Assert.DoesNotContain(wrongKey, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrainingLifecycle_CreateWaitAndLatestModelUrl_PointsAtTheNewVersion()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var client = host.Get<ReplicateClient>();
        var model = await client.CreateModelAsync(new ReplicateCreateModelRequest { Owner = "aiserver", Name = "lora-" + Guid.NewGuid().ToString("N")[..8], Hardware = "gpu-t4" }, cancellationToken: Ct);
        Assert.Null(await client.GetLatestModelUrlAsync(model.Owner, model.Name, cancellationToken: Ct));

        var training = await client.CreateTrainingAsync("ostris/flux-dev-lora-trainer", Version, $"{model.Owner}/{model.Name}", new JsonObject { ["steps"] = 10 }, cancellationToken: Ct);
        var fetched = await client.GetTrainingAsync(training.Id, cancellationToken: Ct);
        var done = await client.WaitForTrainingAsync(training.Id, cancellationToken: Ct);
        var url = await client.GetLatestModelUrlAsync(model.Owner, model.Name, cancellationToken: Ct);

        Assert.Equal(training.Id, fetched.Id);
        Assert.Equal(ReplicateStatus.Succeeded, done.State);
        Assert.StartsWith($"{model.Owner}/{model.Name}:", url, StringComparison.Ordinal);
        Assert.Equal(done.Output!.Value.GetProperty("version").GetString(), url);
    }

    [Fact]
    public async Task CancelTrainingAsync_RunningTraining_ReturnsCanceled()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var client = host.Get<ReplicateClient>();
        var training = await client.CreateTrainingAsync("ostris/flux-dev-lora-trainer", Version, "aiserver/trained", new JsonObject(), cancellationToken: Ct);

        var canceled = await client.CancelTrainingAsync(training.Id, cancellationToken: Ct);

        Assert.Equal(ReplicateStatus.Canceled, canceled.State);
    }

    [Fact]
    public async Task CreateTrainingAsync_MissingDestination_Throws404WithProviderDetail()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var ex = await Assert.ThrowsAsync<ProviderException>(() =>
            host.Get<ReplicateClient>().CreateTrainingAsync("o/m", Version, "nobody/nothing", new JsonObject(), cancellationToken: Ct));

        Assert.Equal(404, ex.StatusCode);
        Assert.Equal("The specified training destination does not exist", ex.ProviderMessage);
    }

    [Fact]
    public async Task GetModelAsync_Unknown_Throws404()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => host.Get<ReplicateClient>().GetModelAsync("nobody", "missing", cancellationToken: Ct));

        Assert.Equal(404, ex.StatusCode);
    }

    [Fact]
    public async Task GetTrainingAsync_429WithRetryAfter_WaitsAndSucceeds()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var client = host.Get<ReplicateClient>();
        var training = await client.CreateTrainingAsync("o/m", Version, "aiserver/trained", new JsonObject(), cancellationToken: Ct);
        await emulator.AddFaultAsync(new { provider = "replicate", path = "/v1/trainings/" + training.Id, method = "GET", kind = "rateLimit", retryAfterSeconds = 1, count = 1 });

        var fetched = await client.GetTrainingAsync(training.Id, cancellationToken: Ct);

        Assert.Equal(training.Id, fetched.Id);
        var gets = (await emulator.RequestsAsync("replicate")).Where(r => (string?)r!["path"] == "/replicate/v1/trainings/" + training.Id).ToList();
        Assert.Equal([429, 200], gets.Select(r => (int)r!["statusCode"]!));
        Assert.Equal(CircuitState.Closed, host.Get<ICircuitBreakerRegistry>().Get("replicate").State);
    }

    [Fact]
    public async Task CreateModelAsync_429_ThrowsRateLimitedWithRetryAfter()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        await emulator.AddFaultAsync(new { provider = "replicate", path = "/v1/models", method = "POST", kind = "rateLimit", retryAfterSeconds = 2, count = 1 });

        var ex = await Assert.ThrowsAsync<ProviderRateLimitedException>(() =>
            host.Get<ReplicateClient>().CreateModelAsync(new ReplicateCreateModelRequest { Owner = "aiserver", Name = "throttled" }, cancellationToken: Ct));

        Assert.Equal(TimeSpan.FromSeconds(2), ex.RetryAfter);
        Assert.Equal(429, ex.StatusCode);
    }

    [Fact]
    public async Task CreateModelAsync_5xxBurst_OpensOnlyTheReplicateBreakerAndRejectsWithoutCalling()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var client = host.Get<ReplicateClient>();
        var breakers = host.Get<ICircuitBreakerRegistry>();
        await emulator.AddFaultAsync(new { provider = "replicate", path = "/v1/models", method = "POST", kind = "error", statusCode = 503, count = 3 });
        var name = "burst-" + Guid.NewGuid().ToString("N")[..8];

        for (var i = 0; i < 3; i++)
        {
            var ex = await Assert.ThrowsAsync<ProviderException>(() => client.CreateModelAsync(new ReplicateCreateModelRequest { Owner = "aiserver", Name = name }, cancellationToken: Ct));
            Assert.Equal(503, ex.StatusCode);
        }

        var rejected = await Assert.ThrowsAsync<ProviderUnavailableException>(() => client.CreateModelAsync(new ReplicateCreateModelRequest { Owner = "aiserver", Name = name }, cancellationToken: Ct));

        Assert.True(rejected.BreakerRejected);
        Assert.Equal(CircuitState.Open, breakers.Get(ProviderNames.Replicate).State);
        foreach (var other in new[] { ProviderNames.Supabase, ProviderNames.ElevenLabs, ProviderNames.SyncLabs, ProviderNames.HuggingFace, ProviderNames.Bfl, ProviderNames.FileDownload })
        {
            Assert.Equal(CircuitState.Closed, breakers.Get(other).State);
        }

        var posts = (await emulator.RequestsAsync("replicate")).Count(r => (string?)r!["path"] == "/replicate/v1/models" && (string?)r["method"] == "POST" && (string?)r["faultKind"] == "error");
        Assert.Equal(3, posts);
    }

    [Fact]
    public async Task CreateModelAsync_SlowResponse_HitsTheAttemptTimeoutAndCountsAFailure()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator, new Dictionary<string, string?>
        {
            ["Providers:Replicate:AttemptTimeout"] = "00:00:00.300",
        });
        await emulator.AddFaultAsync(new { provider = "replicate", path = "/v1/models", method = "POST", kind = "latency", latencyMs = 3000, count = 1 });

        var ex = await Assert.ThrowsAsync<ProviderUnavailableException>(() =>
            host.Get<ReplicateClient>().CreateModelAsync(new ReplicateCreateModelRequest { Owner = "aiserver", Name = "slow" }, cancellationToken: Ct));

        Assert.False(ex.BreakerRejected);
        var stats = host.Get<ICircuitBreakerRegistry>().Get(ProviderNames.Replicate).GetStats();
        Assert.Equal("timeout", stats.LastFailureReason);
    }

    [Fact]
    public void ReplicateJob_UnknownStatus_IsToleratedAsNonTerminal()
    {
        var job = new ReplicateJob { Id = "x", Status = "reasoning" };

        Assert.Equal(ReplicateStatus.Unknown, job.State);
        Assert.False(job.IsTerminal);
    }

    [Fact]
    public async Task HealthCheckAsync_Emulator_HealthyWithAccount()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var result = await host.Get<ReplicateClient>().HealthCheckAsync(Ct);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("aiserver", result.Data["account"]);
    }

    [Fact]
    public async Task RunAsync_RunTimeout_CancelsThePredictionAndCarriesItsId()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator, new Dictionary<string, string?> { ["Providers:Replicate:RunTimeout"] = "00:00:00.200" });
        var client = host.Get<ReplicateClient>();

        // The emulator's predictions take 1.4 s; the client blocks 1 s (Prefer: wait) and then gives up after 0.2 s.
        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.RunAsync("black-forest-labs/flux-schnell", new JsonObject { ["prompt"] = "a cat" }, "timeout-run", cancellationToken: Ct));

        Assert.Equal("run_timeout", ex.ErrorCode);
        Assert.False(string.IsNullOrEmpty(ex.JobId));
        var requests = await emulator.RequestsAsync("replicate");
        Assert.Contains(requests, r => (string?)r!["path"] == $"/replicate/v1/predictions/{ex.JobId}/cancel" && (string?)r["method"] == "POST");
        Assert.Equal("canceled", (await client.GetPredictionAsync(ex.JobId!, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task RunAsync_PollFailsAfterCreation_ExceptionCarriesThePredictionId()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        await emulator.AddFaultAsync(new { provider = "replicate", path = "/v1/predictions/*", method = "GET", kind = "error", statusCode = 400, count = 1 });
        var client = host.Get<ReplicateClient>();

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.RunAsync("black-forest-labs/flux-schnell", new JsonObject { ["prompt"] = "a dog" }, "poll-fails", cancellationToken: Ct));

        Assert.Equal(400, ex.StatusCode);
        Assert.False(string.IsNullOrEmpty(ex.JobId));
        // The id is the created prediction's, so the caller can look it up instead of creating (and paying for) another.
        var prediction = await client.GetPredictionAsync(ex.JobId!, cancellationToken: Ct);
        Assert.Equal(ex.JobId, prediction.Id);
    }
}
