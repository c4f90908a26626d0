using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AiServer.AppHost;
using AiServer.AppHost.Hosting;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.AppHost;

/// <summary>The embedded default: no provider keys, every provider served by the emulator the AppHost starts.</summary>
public sealed class ProvidersThroughAppHostTests
{
    private static readonly string[] s_providers = ["supabase", "replicate", "elevenlabs", "synclabs", "huggingface", "bfl"];

    [Fact]
    public async Task ReplicateFailingEverywhere_ForcedFreshProbes_OpenOnlyReplicateInEveryApiReplica()
    {
        // Arrange
        var output = new ConcurrentQueue<string>();
        await using var app = AppModel.Declare(DistributedApplication.CreateBuilder([], new DistributedApplicationOptions
        {
            WorkingDirectory = Directory.CreateTempSubdirectory("aiserver-providers-").FullName,
            Output = output.Enqueue,
        })).Build();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            await app.StartAsync(cts.Token);
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var api0 = app.GetEndpoint("api", 0);
        var token = app.GetParameter("admin-token");
        string Output() => string.Join(Environment.NewLine, output.TakeLast(80));

        // The six providers are listed and healthy with no keys configured.
        using (var detailed = JsonDocument.Parse(await client.GetStringAsync(new Uri(api0, "/health/detailed"), TestContext.Current.CancellationToken)))
        {
            var checks = detailed.RootElement.GetProperty("checks").EnumerateArray()
                .ToDictionary(c => c.GetProperty("service").GetString()!, c => c.GetProperty("status").GetString());
            foreach (var provider in s_providers)
            {
                Assert.True(checks.TryGetValue(provider, out var status) && status == "healthy",
                    $"{provider} should be listed healthy; checks: {string.Join(", ", checks.Select(c => $"{c.Key}={c.Value}"))}");
            }
        }

        // Act: every Replicate request fails with 500; operators force fresh probes until the breaker opens.
        var fault = await client.PostAsJsonAsync(new Uri(app.GetEndpoint("providers"), "/_emulator/faults"),
            new { provider = "replicate", kind = "error", statusCode = 500, rate = 1.0 }, TestContext.Current.CancellationToken);
        Assert.True(fault.IsSuccessStatusCode, $"adding the fault answered {(int)fault.StatusCode}");
        await Wait.UntilAsync(async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(api0, "/health/detailed?refresh=true"));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await client.SendAsync(request);
                return await StateAsync(client, api0, "replicate") == "OPEN";
            },
            TimeSpan.FromSeconds(90), () => $"the replicate breaker to open through forced probes. Output:{Environment.NewLine}{Output()}",
            TimeSpan.FromMilliseconds(200));

        // Assert: OPEN in every api replica, every other breaker CLOSED.
        foreach (var api in new[] { app.GetEndpoint("api", 0), app.GetEndpoint("api", 1) })
        {
            await Wait.UntilAsync(async () => await StateAsync(client, api, "replicate") == "OPEN", TimeSpan.FromSeconds(10),
                () => $"{api} to show replicate OPEN");
            var metrics = await client.GetStringAsync(new Uri(api, "/metrics"), TestContext.Current.CancellationToken);
            Assert.Contains("circuit_breaker_state{name=\"replicate\"} 2\n", metrics, StringComparison.Ordinal);
            foreach (var other in new[] { "supabase", "elevenlabs", "synclabs", "huggingface", "bfl", "file-download" })
            {
                Assert.Equal("CLOSED", await StateAsync(client, api, other));
            }
        }
    }

    private static async Task<string> StateAsync(HttpClient client, Uri service, string name)
    {
        using var json = JsonDocument.Parse(await client.GetStringAsync(new Uri(service, "/metrics/circuit-breakers")));
        return json.RootElement.GetProperty("breakers").EnumerateArray()
            .Single(b => b.GetProperty("name").GetString() == name).GetProperty("state").GetString()!;
    }
}
