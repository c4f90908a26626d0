using AiServer.ServiceDefaults.Health;
using AiServer.ServiceDefaults.Redis;
using AiServer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiServer.Tests.ServiceDefaults.Redis;

/// <summary>
/// AddAiServerRedisClient: Aspire's AddRedisClient with AiServer's policy (never block the start, fail fast, reconnect),
/// validation at start, the health check, TLS with a password and an ACL user. Real redis-server processes throughout.
/// </summary>
public sealed class RedisClientExtensionsTests(RedisServer server)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing", ApplicationName = "redis-tests" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddAiServerRedisClient("redis");
        return builder.Build();
    }

    private static async Task<HealthReportEntry> RedisHealthAsync(IHost host) =>
        (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == RedisClientExtensions.HealthCheckName, Ct)).Entries[RedisClientExtensions.HealthCheckName];

    [Fact]
    public void RedisOptions_Defaults_AreTheDocumentedOnes()
    {
        var options = new RedisOptions();

        Assert.Equal("aiserver:", options.KeyPrefix);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.ReconnectMinDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ReconnectMaxDelay);
        Assert.Null(options.CaCertificatePath);
        Assert.Equal("Redis", RedisOptions.SectionName);
    }

    [Fact]
    public async Task AddAiServerRedisClient_NoConnectionString_FailsStartNamingTheKey()
    {
        using var host = Build([]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("ConnectionStrings:redis is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddAiServerRedisClient_MalformedConnectionString_FailsStartNamingTheKeyWithoutThePassword()
    {
        using var host = Build(new() { ["ConnectionStrings:redis"] = "localhost:6379,password=hunter2,colour=blue" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("ConnectionStrings:redis is not a valid Redis connection string", error.Message, StringComparison.Ordinal);
        Assert.Contains("colour", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddAiServerRedisClient_InvalidOptions_FailsStartNamingEachKey()
    {
        using var host = Build(new()
        {
            ["ConnectionStrings:redis"] = server.ConnectionString,
            ["Redis:KeyPrefix"] = "{tenant}:",
            ["Redis:ReconnectMinDelay"] = "00:00:05",
            ["Redis:ReconnectMaxDelay"] = "00:00:01",
            ["Redis:CaCertificatePath"] = "/nonexistent/ca.crt",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Redis:KeyPrefix must be at most 64 characters without whitespace or braces", error.Message, StringComparison.Ordinal);
        Assert.Contains("Redis:ReconnectMaxDelay (00:00:01) must not be less than Redis:ReconnectMinDelay (00:00:05)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Redis:CaCertificatePath names a file that does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddAiServerRedisClient_RedisUp_ConnectsWithThePolicyAndReportsHealthy()
    {
        using var host = Build(new() { ["ConnectionStrings:redis"] = server.ConnectionString });
        await host.StartAsync(Ct);

        var connection = host.Services.GetRequiredService<IConnectionMultiplexer>();
        var options = host.Services.GetRequiredService<IOptions<ConfigurationOptions>>().Value;
        var health = await RedisHealthAsync(host);
        await host.StopAsync(Ct);

        Assert.True(connection.IsConnected);
        Assert.False(options.AbortOnConnectFail);
        Assert.Same(BacklogPolicy.FailFast, options.BacklogPolicy);
        Assert.IsType<ExponentialRetry>(options.ReconnectRetryPolicy);
        Assert.Equal("redis-tests", options.ClientName);
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Contains(HealthTags.Ready, health.Tags);
        Assert.Contains(HealthTags.Detailed, health.Tags);
    }

    [Fact]
    public async Task AddAiServerRedisClient_CalledTwice_RegistersOneConnectionAndOneHealthCheck()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:redis"] = server.ConnectionString });
        builder.AddAiServerRedisClient();
        builder.AddAiServerRedisClient();
        using var host = builder.Build();

        var checks = host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;

        Assert.Single(builder.Services, d => d.ServiceType == typeof(IConnectionMultiplexer));
        Assert.Single(checks, r => r.Name == RedisClientExtensions.HealthCheckName);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Connection_ServerKilled_CommandsFailFastThenReconnectAndResubscribe()
    {
        await using var own = await RedisServer.StartAsync(cancellationToken: Ct);
        using var host = Build(new() { ["ConnectionStrings:redis"] = own.ConnectionString });
        await host.StartAsync(Ct);
        var connection = host.Services.GetRequiredService<IConnectionMultiplexer>();
        var channel = RedisChannel.Literal("test:events");
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await connection.GetSubscriber().SubscribeAsync(channel, (_, message) => received.TrySetResult(message!));

        own.Kill();
        await Wait.UntilAsync(() => !connection.IsConnected, Bound, "the client to notice that the server is gone");

        // Nothing queues behind the lost connection: the command fails at once with a connection error, not a timeout.
        await Assert.ThrowsAsync<RedisConnectionException>(() => connection.GetDatabase().StringSetAsync("test:key", "v"));
        Assert.Equal(HealthStatus.Unhealthy, (await RedisHealthAsync(host)).Status);

        await own.RestartAsync(Ct);
        await Wait.UntilAsync(async () => (await RedisHealthAsync(host)).Status == HealthStatus.Healthy, Bound, "the client to reconnect");
        await Wait.UntilAsync(async () => await own.CliAsync("PUBLISH", "test:events", "back") != "0", Bound, "the subscription to be restored after the reconnect");
        Assert.Equal("back", await received.Task.WaitAsync(Bound, Ct));
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task AddAiServerRedisClient_RedisDownAtStart_StartsAndConnectsWhenRedisComes()
    {
        await using var own = await RedisServer.StartAsync(cancellationToken: Ct);
        own.Kill();
        using var host = Build(new() { ["ConnectionStrings:redis"] = own.ConnectionString });

        await host.StartAsync(Ct);
        Assert.Equal(HealthStatus.Unhealthy, (await RedisHealthAsync(host)).Status);
        await own.RestartAsync(Ct);

        await Wait.UntilAsync(async () => (await RedisHealthAsync(host)).Status == HealthStatus.Healthy, Bound, "the client to connect once Redis is up");
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task Connection_TlsWithPasswordAndAclUser_ConnectsAndVerifiesTheCertificate()
    {
        await using var tls = await RedisServer.StartTlsAsync(password: "default-secret", cancellationToken: Ct);
        Assert.Equal("OK", await tls.CliAsync("ACL", "SETUSER", "aiserver", "on", ">app-secret", "~*", "&*", "+@all"));
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = $"{tls.Host}:{tls.Port},user=aiserver,password=app-secret,ssl=true",
            ["Redis:CaCertificatePath"] = tls.CaCertificatePath,
        };
        using var host = Build(settings);

        await host.StartAsync(Ct);
        var connection = host.Services.GetRequiredService<IConnectionMultiplexer>();
        await Wait.UntilAsync(() => connection.IsConnected, Bound, "the TLS connection to be established");
        await connection.GetDatabase().StringSetAsync("tls:key", "over tls");

        Assert.Equal("over tls", (string?)await connection.GetDatabase().StringGetAsync("tls:key"));
        Assert.StartsWith("aiserver", await tls.CliAsync("--user", "aiserver", "--pass", "app-secret", "ACL", "WHOAMI"), StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, (await RedisHealthAsync(host)).Status);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task Connection_TlsCertificateFromAnUntrustedCa_DoesNotConnect()
    {
        await using var tls = await RedisServer.StartTlsAsync(cancellationToken: Ct);
        using var host = Build(new() { ["ConnectionStrings:redis"] = tls.ConnectionString }); // no CaCertificatePath

        await host.StartAsync(Ct);
        var health = await RedisHealthAsync(host);

        Assert.False(host.Services.GetRequiredService<IConnectionMultiplexer>().IsConnected);
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        await host.StopAsync(Ct);
    }
}
