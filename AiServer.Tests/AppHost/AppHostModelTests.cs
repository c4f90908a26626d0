using AiServer.AppHost.Redis;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace AiServer.Tests.AppHost;

/// <summary>The resources AppHost.cs declares for a configuration, read from the model before anything starts.</summary>
public sealed class AppHostModelTests
{
    [Fact]
    public async Task Declare_EmbeddedDefault_LocalRedisServerEmulatorApiReplicasWorkersAndSevenBreakers()
    {
        // Arrange + Act
        await using var builder = await CreateAsync([]);

        // Assert
        var resources = builder.Resources.ToDictionary(r => r.Name);
        var redis = Assert.IsType<LocalRedisResource>(resources["redis"]);
        Assert.Equal("redis-server", Path.GetFileName(redis.Command));
        Assert.Contains("providers", resources.Keys);
        Assert.Equal(2, resources["api"].Annotations.OfType<ReplicaAnnotation>().Single().Replicas);
        Assert.Contains("training-worker", resources.Keys);
        Assert.Contains("speech-worker", resources.Keys);
        Assert.Contains("lipsync-worker", resources.Keys);
        Assert.True(Assert.IsType<ParameterResource>(resources["api-key"]).Secret, "the API key must be a secret parameter");
        Assert.Equal(
            ["breaker-bfl", "breaker-elevenlabs", "breaker-file-download", "breaker-huggingface", "breaker-replicate", "breaker-supabase", "breaker-synclabs"],
            resources.Keys.Where(k => k.StartsWith("breaker-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        var password = Assert.IsType<ParameterResource>(resources["redis-password"]);
        Assert.True(password.Secret, "the Redis password must be a secret parameter");
        Assert.True(Assert.IsType<ParameterResource>(resources["admin-token"]).Secret, "the admin token must be a secret parameter");
    }

    [Fact]
    public async Task Declare_ConnectionStringGiven_UsesThatRedisAndStartsNoServer()
    {
        // Arrange + Act
        await using var builder = await CreateAsync(["--ConnectionStrings:redis=redis.example:6380,password=secret,ssl=true"]);

        // Assert
        var redis = builder.Resources.Single(r => r.Name == "redis");
        Assert.IsNotType<LocalRedisResource>(redis);
        Assert.IsAssignableFrom<IResourceWithConnectionString>(redis);
        Assert.DoesNotContain(builder.Resources, r => r is ExecutableResource e && Path.GetFileName(e.Command) == "redis-server");
    }

    [Fact]
    public async Task Declare_EveryProviderKeyGiven_NoEmulatorAndKeysAsSecretParameters()
    {
        // Arrange + Act
        await using var builder = await CreateAsync([
            "--REPLICATE_API_TOKEN=r8_x", "--SUPABASE_SERVICE_ROLE_KEY=s", "--ELEVENLABS_API_KEY=e", "--SYNC_LABS_API_KEY=y", "--HF_TOKEN=hf_x", "--BFL_API_KEY=b",
        ]);

        // Assert
        Assert.DoesNotContain(builder.Resources, r => r.Name == "providers");
        foreach (var name in new[] { "replicate-api-token", "supabase-service-role-key", "elevenlabs-api-key", "sync-labs-api-key", "hf-token", "bfl-api-key" })
        {
            var parameter = Assert.IsType<ParameterResource>(builder.Resources.Single(r => r.Name == name));
            Assert.True(parameter.Secret, $"{name} must be a secret parameter");
        }
    }

    [Fact]
    public async Task Declare_SomeProviderKeysGiven_EmulatorServesOnlyTheOthers()
    {
        // Arrange + Act
        await using var builder = await CreateAsync(["--Providers:Replicate:ApiKey=r8_real"]);

        // Assert: the emulator still runs for the five keyless providers; Replicate's key is a secret parameter.
        Assert.Contains(builder.Resources, r => r.Name == "providers");
        Assert.True(Assert.IsType<ParameterResource>(builder.Resources.Single(r => r.Name == "replicate-api-token")).Secret);
        Assert.DoesNotContain(builder.Resources, r => r.Name == "elevenlabs-api-key");
    }

    private static async Task<IDistributedApplicationTestingBuilder> CreateAsync(string[] args)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await DistributedApplicationTestingBuilder.CreateAsync<Projects.AiServer_AppHost>(args, cts.Token);
    }
}
