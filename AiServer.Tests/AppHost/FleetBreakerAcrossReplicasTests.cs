using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AiServer.AppHost;
using AiServer.AppHost.Hosting;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.AppHost;

/// <summary>The fleet breaker seen through real processes: two api replicas and the workers sharing one Redis.</summary>
public sealed class FleetBreakerAcrossReplicasTests
{
    [Fact]
    public async Task ForceOpen_ThroughOneApiReplica_ShowsOpenInEveryProcessAndResetClosesEverywhere()
    {
        // Arrange
        var output = new ConcurrentQueue<string>();
        await using var app = AppModel.Declare(DistributedApplication.CreateBuilder([], new DistributedApplicationOptions
        {
            WorkingDirectory = Directory.CreateTempSubdirectory("aiserver-fleet-").FullName,
            Output = output.Enqueue,
        })).Build();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            await app.StartAsync(cts.Token);
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var api0 = app.GetEndpoint("api", 0);
        var services = new[] { app.GetEndpoint("api", 0), app.GetEndpoint("api", 1), app.GetEndpoint("workers", 0) };
        var token = app.GetParameter("admin-token");
        string Output() => string.Join(Environment.NewLine, output.TakeLast(60));

        // Act + Assert: no token and a wrong token are refused.
        var forceOpen = new Uri(api0, "/admin/circuit-breakers/replicate/force-open?reason=drill");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync(forceOpen, null, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(client, forceOpen, "not-the-token")).StatusCode);

        // Force open through api-0.
        var response = await SendAsync(client, forceOpen, token);
        Assert.True(response.IsSuccessStatusCode, $"force-open answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");

        foreach (var service in services)
        {
            await Wait.UntilAsync(async () => await StateAsync(client, service, "replicate") == ("OPEN", "OPEN"),
                TimeSpan.FromSeconds(10), () => $"{service} to show replicate forced OPEN. Output:{Environment.NewLine}{Output()}");
            var metrics = await client.GetStringAsync(new Uri(service, "/metrics"));
            Assert.Contains("circuit_breaker_state{name=\"replicate\"} 2\n", metrics, StringComparison.Ordinal);
            Assert.Contains("circuit_breaker_state{name=\"supabase\"} 0\n", metrics, StringComparison.Ordinal);
            Assert.Contains("circuit_breaker_sync_connected", metrics, StringComparison.Ordinal);
            var (exitCode, lint) = await Promtool.CheckMetricsAsync(metrics, TestContext.Current.CancellationToken);
            Assert.True(exitCode == 0 && lint.Trim().Length == 0, $"promtool check metrics on {service} (exit {exitCode}):{Environment.NewLine}{lint}");
        }

        // Reset through api-1 releases it everywhere.
        response = await SendAsync(client, new Uri(app.GetEndpoint("api", 1), "/admin/circuit-breakers/replicate/reset"), token);
        Assert.True(response.IsSuccessStatusCode, $"reset answered {(int)response.StatusCode}");
        foreach (var service in services)
        {
            await Wait.UntilAsync(async () => await StateAsync(client, service, "replicate") == ("CLOSED", "NONE"),
                TimeSpan.FromSeconds(10), () => $"{service} to show replicate CLOSED after reset. Output:{Environment.NewLine}{Output()}");
        }
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, Uri uri, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }

    private static async Task<(string State, string Forced)> StateAsync(HttpClient client, Uri service, string name)
    {
        using var json = JsonDocument.Parse(await client.GetStringAsync(new Uri(service, "/metrics/circuit-breakers")));
        var breaker = json.RootElement.GetProperty("breakers").EnumerateArray().Single(b => b.GetProperty("name").GetString() == name);
        return (breaker.GetProperty("state").GetString()!, breaker.GetProperty("forced").GetString()!);
    }
}
