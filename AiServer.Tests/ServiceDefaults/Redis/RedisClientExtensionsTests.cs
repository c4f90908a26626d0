using AiServer.ServiceDefaults.Health;
using AiServer.ServiceDefaults.Redis;
using AiServer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AiServer.Tests.ServiceDefaults.Redis;

/// <summary>AddRedisClient: options, validation at start, start-up connect, the health check.</summary>
public sealed class RedisClientExtensionsTests(RedisServer server)
{
    [Fact]
    public void RedisOptions_Defaults_AreTheDocumentedOnes()
    {
        var options = new RedisOptions();

        Assert.Equal("aiserver:", options.KeyPrefix);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.ReconnectMinDelay);
        Assert.Equal(TimeSpan.FromSeconds(10), options.ReconnectMaxDelay);
    }

    [Fact(Timeout = 30_000)]
    public async Task AddRedisClient_BadConnectionString_FailsStartNamingTheKey()
    {
        using IHost host = Build(new() { ["ConnectionStrings:redis"] = "localhost:notaport" });

        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("ConnectionStrings:redis has an invalid port 'notaport'", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task AddRedisClient_NoConnectionString_FailsStartNamingTheKey()
    {
        using IHost host = Build([]);

        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("ConnectionStrings:redis is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task AddRedisClient_InvalidOptions_FailsStartNamingEachKey()
    {
        using IHost host = Build(new()
        {
            ["ConnectionStrings:redis"] = server.ConnectionString,
            ["Redis:KeyPrefix"] = "has space:",
            ["Redis:ReconnectMinDelay"] = "00:00:05",
            ["Redis:ReconnectMaxDelay"] = "00:00:01",
        });

        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Redis:KeyPrefix must be at most 64 characters without whitespace", error.Message, StringComparison.Ordinal);
        Assert.Contains("Redis:ReconnectMaxDelay (00:00:01) must not be less than Redis:ReconnectMinDelay (00:00:05)", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task AddRedisClient_RedisUp_ConnectsAtStartAndReportsHealthyWithLatency()
    {
        using IHost host = Build(new() { ["ConnectionStrings:redis"] = server.ConnectionString, ["Redis:KeyPrefix"] = "tenant-a:" });

        await host.StartAsync(TestContext.Current.CancellationToken);
        IRedisClient client = host.Services.GetRequiredService<IRedisClient>();
        HealthReport report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.True(client.IsConnected);
        Assert.Same(client.GetDatabase(), host.Services.GetRequiredService<IRedisDatabase>());
        Assert.Same(client.GetSubscriber(), host.Services.GetRequiredService<IRedisSubscriber>());
        Assert.Equal("tenant-a:", host.Services.GetRequiredService<IOptions<RedisOptions>>().Value.KeyPrefix);
        HealthReportEntry redis = report.Entries["redis"];
        Assert.Equal(HealthStatus.Healthy, redis.Status);
        Assert.IsType<double>(redis.Data["latencyMs"]);
        Assert.Equal([HealthTags.Ready, HealthTags.Detailed], redis.Tags.Order().Reverse());
    }

    [Fact(Timeout = 30_000)]
    public async Task AddRedisClient_RedisDown_StartsAnywayAndReadinessIsUnhealthy()
    {
        using IHost host = Build(new() { ["ConnectionStrings:redis"] = $"127.0.0.1:{ClosedPort()},connectTimeout=300" });

        await host.StartAsync(TestContext.Current.CancellationToken);
        HealthReport report = await host.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(r => r.Tags.Contains(HealthTags.Ready), TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);

        HealthReportEntry redis = report.Entries["redis"];
        Assert.Equal(HealthStatus.Unhealthy, redis.Status);
        Assert.Contains("is disconnected", redis.Description, StringComparison.Ordinal);
        Assert.Equal(false, redis.Data["connected"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task AddRedisClient_WrongPassword_FailsStartSayingSo()
    {
        await using RedisServer secured = await RedisServer.StartAsync("right-password", TestContext.Current.CancellationToken);
        using IHost host = Build(new() { ["ConnectionStrings:redis"] = $"{secured.Host}:{secured.Port},password=bad-password" });

        RedisAuthenticationException error = await Assert.ThrowsAsync<RedisAuthenticationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("rejected the password", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:redis", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task AddRedisClient_ServerAtMaxClients_StartsAnyway()
    {
        await using RedisServer full = await RedisServer.StartAsync("right-password", TestContext.Current.CancellationToken);
        await full.CliAsync("CONFIG", "SET", "maxclients", "1");
        using var occupant = new System.Net.Sockets.TcpClient();
        await occupant.ConnectAsync(full.Host, full.Port, TestContext.Current.CancellationToken);
        await occupant.GetStream().WriteAsync("PING\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
        Assert.True(await occupant.GetStream().ReadAsync(new byte[64], TestContext.Current.CancellationToken) > 0);
        using IHost host = Build(new() { ["ConnectionStrings:redis"] = $"{full.ConnectionString},connectTimeout=500" });

        await host.StartAsync(TestContext.Current.CancellationToken);

        Assert.False(host.Services.GetRequiredService<IRedisClient>().IsConnected);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void AddRedisClient_CalledTwice_RegistersOnce()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:redis"] = server.ConnectionString;

        builder.AddRedisClient();
        builder.AddRedisClient();

        Assert.Single(builder.Services, d => d.ServiceType == typeof(IRedisClient));
    }

    [Fact(Timeout = 30_000)]
    public async Task AddRedisClient_ServiceProviderDisposedSynchronously_ClosesTheClient()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["ConnectionStrings:redis"] = server.ConnectionString;
        builder.AddRedisClient();
        ServiceProvider provider = builder.Services.BuildServiceProvider();
        IRedisClient client = provider.GetRequiredService<IRedisClient>();
        await client.ConnectAsync(TestContext.Current.CancellationToken);

        provider.Dispose();

        Assert.False(client.IsConnected);
    }

    private static IHost Build(Dictionary<string, string?> configuration)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddRedisClient("redis");
        return builder.Build();
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
