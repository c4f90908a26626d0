using AiServer.Api.Auth;
using AiServer.Jobs;
using AiServer.Jobs.Execution;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiServer.Tests.Jobs;

public sealed class JobsOptionsTests
{
    [Fact]
    public void Defaults_NoConfiguration_AreTheDocumentedValues()
    {
        using var services = Build([]);

        var jobs = services.GetRequiredService<IOptions<JobsOptions>>().Value;
        var workers = services.GetRequiredService<IOptions<JobWorkerOptions>>().Value;
        var keys = services.GetRequiredService<IOptions<ApiKeyOptions>>().Value;

        Assert.Equal((TimeSpan.FromDays(7), TimeSpan.FromSeconds(60), 10, 3), (jobs.Retention, jobs.VisibilityTimeout, jobs.MaxDeliveries, jobs.MaxAttempts));
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromHours(24), 1024L * 1024, TimeSpan.FromSeconds(60), TimeSpan.FromHours(24)), (jobs.PollInterval, jobs.MaxRunTime, jobs.MaxRequestBytes, jobs.MaxWait, jobs.IdempotencyWindow));
        Assert.Equal("data/job-outputs", jobs.OutputPath);
        Assert.Equal(["replicate", "bfl"], jobs.FallbacksOf(JobKinds.ImageGeneration));
        Assert.Empty(jobs.FallbacksOf(JobKinds.Speech));
        Assert.Equal(JobKinds.All, workers.EffectiveKinds);
        Assert.Equal((8, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)), (workers.Concurrency, workers.ReclaimInterval, workers.IdlePoll, workers.FinishGrace));
        Assert.Empty(keys.ApiKeys);
        Assert.Equal((100, 200), (keys.RateLimit.PermitsPerSecond, keys.RateLimit.Burst));
    }

    [Fact]
    public void Fallbacks_OneProviderListed_TurnsFallbackOffForTheKind()
    {
        using var services = Build(new Dictionary<string, string?> { ["Jobs:Fallbacks:image-generation:0"] = "bfl" });

        Assert.Equal(["bfl"], services.GetRequiredService<IOptions<JobsOptions>>().Value.FallbacksOf(JobKinds.ImageGeneration));
    }

    [Theory]
    [InlineData("Jobs:VisibilityTimeout", "00:00:00.100", "Jobs:VisibilityTimeout: The field VisibilityTimeout must be between")]
    [InlineData("Jobs:MaxAttempts", "0", "Jobs:MaxAttempts: The field MaxAttempts must be between 1 and 20.")]
    [InlineData("Jobs:OutputPath", "", "Jobs:OutputPath: The OutputPath field is required.")]
    [InlineData("Jobs:ReplicateTrainer", "ostris/trainer", "Jobs:ReplicateTrainer must be owner/name:<64-hex version>.")]
    [InlineData("Jobs:Fallbacks:speech:0", "replicate", "Jobs:Fallbacks:speech:0: 'replicate' cannot run speech jobs")]
    [InlineData("Jobs:Fallbacks:teleport:0", "replicate", "Jobs:Fallbacks:teleport: 'teleport' is not a job kind")]
    [InlineData("Workers:Kinds:0", "speach", "Workers:Kinds:0: 'speach' is not a job kind")]
    [InlineData("Workers:Concurrency", "0", "Workers:Concurrency: The field Concurrency must be between 1 and 1024.")]
    [InlineData("Auth:ApiKeys:0", "short", "Auth:ApiKeys:0: a key must be 16 to 512 characters")]
    [InlineData("Auth:ApiKeys:0", "sha256:abc", "Auth:ApiKeys:0: a sha256: entry must be followed by 64 hex digits")]
    [InlineData("Auth:RateLimit:Burst", "0", "Auth:RateLimit:Burst must be between 1 and 1000000.")]
    public void Validation_InvalidValue_FailsAtStartNamingTheKey(string key, string value, string expectedMessage)
    {
        using var services = Build(new Dictionary<string, string?> { [key] = value });

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expectedMessage, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sha256:abc", ex.Message.Replace("a sha256: entry", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddJobWorkers();
        builder.AddApiKeys();
        return builder.Services.BuildServiceProvider();
    }
}
