using System.Net;
using AiServer.ServiceDefaults;
using AiServer.ServiceDefaults.Redis;
using AiServer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiServer.Tests.ServiceDefaults.Health;

/// <summary>Unauthenticated health traffic while a check is bad cannot flood the file log and push out the lines that matter.</summary>
public sealed class HealthLogFloodTests
{
    [Fact]
    public async Task HealthBurst_RedisUnreachable_WritesAFewEdgeLinesAndKeepsEarlierLines()
    {
        // Arrange: Redis is unreachable (readiness 503), a small rolling log, and an operator's line written first.
        var folder = Directory.CreateTempSubdirectory("aiserver-flood-").FullName;
        await using var app = await TestWebApp.StartAsync(
            b =>
            {
                b.AddServiceDefaults();
                b.AddAiServerRedisClient("redis");
            },
            a => a.MapDefaultEndpoints(),
            new Dictionary<string, string?>
            {
                ["ConnectionStrings:redis"] = $"127.0.0.1:{FreePort.Next()}",
                ["Logging:File:Enabled"] = "true",
                ["Logging:File:Path"] = Path.Combine(folder, "app.log"),
                ["Logging:File:MaxFileSizeBytes"] = "65536",
                ["Logging:File:MaxRetainedFiles"] = "2",

                // The services' appsettings.json levels (AiServer.Api, AiServer.Workers).
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            });
        app.App.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AiServer.Tests.Audit").LogWarning("Manual action: force-open of replicate by test-operator");

        // Act: 2,000 unauthenticated health requests, 8 at a time.
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        await Parallel.ForAsync(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = TestContext.Current.CancellationToken }, async (i, ct) =>
        {
            using var response = await app.Client.GetAsync(i % 2 == 0 ? "/health/ready" : "/health/detailed", ct);
            statuses.Add(response.StatusCode);
        });
        await app.DisposeAsync(); // flushes the file log

        // Assert: the checks were bad, yet the log holds a handful of lines and still has the operator's line.
        Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
        var lines = Directory.GetFiles(folder, "app*.log").SelectMany(File.ReadAllLines).ToList();
        Assert.True(lines.Count < 100, $"the burst wrote {lines.Count} log lines; first ones:{Environment.NewLine}{string.Join(Environment.NewLine, lines.Take(20))}");
        Assert.Contains(lines, l => l.Contains("Manual action: force-open of replicate by test-operator", StringComparison.Ordinal));
    }
}
