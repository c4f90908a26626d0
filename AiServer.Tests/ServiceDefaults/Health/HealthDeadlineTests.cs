using System.Net;
using System.Text.Json;
using AiServer.ServiceDefaults;
using AiServer.ServiceDefaults.Health;
using AiServer.ServiceDefaults.Redis;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.ServiceDefaults.Health;

/// <summary>Health endpoints answer within a bound a probe can rely on, whatever a dependency does.</summary>
public sealed class HealthDeadlineTests
{
    private const int Sigstop = 19;
    private const int Sigcont = 18;

    [Fact]
    public void HealthDeadlineOptions_Defaults_AreTheDocumentedOnes()
    {
        var options = new HealthDeadlineOptions();

        Assert.Equal(TimeSpan.FromMilliseconds(800), options.Ready);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Detailed);
        Assert.Equal("Health:Deadlines", HealthDeadlineOptions.SectionName);
    }

    [Fact]
    public async Task HealthDeadlineOptions_ZeroReady_FailsStartNamingTheKey()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => TestWebApp.StartAsync(
            b => b.AddServiceDefaults(), app => app.MapDefaultEndpoints(), new Dictionary<string, string?> { ["Health:Deadlines:Ready"] = "00:00:00" }));

        Assert.Contains("Health:Deadlines:Ready", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_RedisFrozenWithSigstop_Answers503TimedOutWithinTheDeadlineAndRecoversAfterSigcont()
    {
        // Arrange: a service on its own redis-server, ready.
        await using var redis = await RedisServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using var app = await TestWebApp.StartAsync(
            b =>
            {
                b.AddServiceDefaults();
                b.AddAiServerRedisClient("redis");
            },
            a => a.MapDefaultEndpoints(),
            new Dictionary<string, string?> { ["ConnectionStrings:redis"] = redis.ConnectionString });
        await Wait.UntilAsync(async () => (await app.Client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "/health/ready to answer 200 with Redis up");
        var pid = redis.ProcessId ?? throw new InvalidOperationException("redis-server is not running");

        // Act: freeze Redis. The client's own timeout is 5 s; a probe with Kubernetes' default 1 s timeout must get a 503.
        Assert.True(Signals.Send(pid, Sigstop), "SIGSTOP could not be sent");
        try
        {
            using var probe = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(3) };
            for (var i = 0; i < 3; i++)
            {
                using var response = await probe.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);

                // Assert: a 503 whose redis entry says it timed out (a result, not an unhandled exception).
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
                var check = body.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("service").GetString() == "redis");
                Assert.Equal("unhealthy", check.GetProperty("status").GetString());
                Assert.Contains("timed out", check.GetProperty("details").GetProperty("message").GetString(), StringComparison.Ordinal);
            }
        }
        finally
        {
            Signals.Send(pid, Sigcont);
        }

        await Wait.UntilAsync(async () => (await app.Client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "/health/ready to answer 200 again after SIGCONT");
    }
}
