using System.Collections.Concurrent;
using AiServer.AppHost.Hosting;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.AppHost;

public sealed class RedisResourceTests(RedisServer redis)
{
    [Fact]
    public void ReferenceEnvironment_WithPassword_SplitsConnectionStringTheAspireWay()
    {
        var resource = new RedisResource("redis") { ExternalConnectionString = "cache.internal:6380,password=p@ss word,ssl=true" };

        var env = resource.GetReferenceEnvironment().ToDictionary();

        Assert.Equal("cache.internal", env["REDIS_HOST"]);
        Assert.Equal("6380", env["REDIS_PORT"]);
        Assert.Equal("p@ss word", env["REDIS_PASSWORD"]);
        Assert.Equal("redis://:p%40ss%20word@cache.internal:6380", env["REDIS_URI"]);
    }

    [Fact]
    public void ReferenceEnvironment_WithoutPassword_HasNoPasswordVariable()
    {
        var env = new RedisResource("redis") { ExternalConnectionString = "localhost:6379" }.GetReferenceEnvironment().ToDictionary();

        Assert.False(env.ContainsKey("REDIS_PASSWORD"));
        Assert.Equal("redis://localhost:6379", env["REDIS_URI"]);
    }

    [Fact]
    public async Task StartAsync_ConnectionStringConfigured_UsesThatRedisAndStartsNoServer()
    {
        var output = new ConcurrentQueue<string>();
        var options = new DistributedApplicationOptions
        {
            WorkingDirectory = Directory.CreateTempSubdirectory("aiserver-external-").FullName,
            Output = output.Enqueue,
        };
        options.Settings["ConnectionStrings:redis"] = redis.ConnectionString;
        var builder = DistributedApplication.CreateBuilder([], options);
        builder.AddRedis("redis");
        await using var app = builder.Build();

        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await app.StartAsync(cts.Token);
        }

        var replica = Assert.Single(app.Replicas);
        Assert.Equal(0, replica.ProcessId);
        Assert.Equal(ReplicaState.Running, replica.State);
        Assert.Equal(redis.ConnectionString, app.GetConnectionString("redis"));
        Assert.False(Directory.Exists(Path.Combine(options.WorkingDirectory, ".aiserver", "redis")), "no data folder for an external Redis");
    }
}
