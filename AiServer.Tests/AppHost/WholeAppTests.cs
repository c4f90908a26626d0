using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiServer.Tests.Infrastructure;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AiServer.Tests.AppHost;

/// <summary>The real AppHost under Aspire's testing builder: resources, the fleet breaker across processes, the dashboard's breaker resources and commands.</summary>
[Collection(WholeAppCollection.Name)]
public sealed class WholeAppTests(WholeAppFixture app)
{
    private static readonly string[] s_breakers = ["replicate", "supabase", "elevenlabs", "synclabs", "huggingface", "bfl", "file-download"];
    private static readonly TimeSpan s_propagation = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Start_EmbeddedDefault_EveryResourceHealthyAndEveryBreakerListedClosed()
    {
        // Arrange + Act: the fixture started the app.
        await app.WaitHealthyAsync(TimeSpan.FromMinutes(1));

        // Assert: two distinct api replicas, each answering readiness directly, and seven breaker resources.
        var replicas = app.Instances("api");
        Assert.Equal(2, replicas.Select(WholeAppFixture.DirectUrl).Distinct().Count());
        foreach (var url in app.ServiceUrls())
        {
            using var ready = await app.Http.GetAsync(new Uri(url, "/health/ready"), TestContext.Current.CancellationToken);
            Assert.True(ready.StatusCode == HttpStatusCode.OK, $"{url}/health/ready answered {(int)ready.StatusCode}");
        }

        await app.WaitUntilAsync(() => s_breakers.All(b => app.Instances($"breaker-{b}").SingleOrDefault()?.Snapshot.State?.Text == "CLOSED"),
            s_propagation, "all seven breaker resources to show CLOSED");
        var breaker = app.Instances("breaker-replicate").Single();
        Assert.Equal("CircuitBreaker", breaker.Snapshot.ResourceType);
        Assert.Contains(breaker.Snapshot.Commands, c => c.Name == "force-open");
        Assert.Contains(breaker.Snapshot.Commands, c => c.Name == "force-close");
        Assert.Contains(breaker.Snapshot.Commands, c => c.Name == "reset");

        // The proxied endpoint the dashboard shows answers too (round-robin over the replicas).
        using var client = app.App.CreateHttpClient("api");
        using var health = await client.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task ForceOpen_ThroughOneApiReplica_IsOpenInTheOtherReplicaTheWorkersAndTheDashboard()
    {
        // Arrange
        await app.WaitHealthyAsync(TimeSpan.FromMinutes(1));
        var services = app.ServiceUrls();
        var api0 = services[0];

        // Act + Assert: no token and a wrong token are refused.
        using (var anonymous = await app.Http.PostAsync(new Uri(api0, "/admin/circuit-breakers/replicate/force-open?reason=drill"), null, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var wrong = await app.AdminPostAsync(api0, "/admin/circuit-breakers/replicate/force-open?reason=drill", token: "not-the-token"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        }

        // The workers have no admin surface of their own: the api is the fleet's one.
        using (var onWorkers = await app.AdminPostAsync(WholeAppFixture.DirectUrl(app.Instances("speech-worker").Single()), "/admin/circuit-breakers/replicate/force-open?reason=drill"))
        {
            Assert.Equal(HttpStatusCode.NotFound, onWorkers.StatusCode);
        }

        using (var opened = await app.AdminPostAsync(api0, "/admin/circuit-breakers/replicate/force-open?reason=drill"))
        {
            Assert.True(opened.IsSuccessStatusCode, $"force-open answered {(int)opened.StatusCode}");
        }

        try
        {
            foreach (var service in services)
            {
                await app.WaitUntilAsync(async () => await StateAsync(service, "replicate") == ("OPEN", "OPEN"), s_propagation, $"{service} to show replicate forced OPEN");
                var metrics = await app.Http.GetStringAsync(new Uri(service, "/metrics"), TestContext.Current.CancellationToken);
                Assert.Contains("circuit_breaker_state{name=\"replicate\"} 2\n", PrometheusScrape.Normalize(metrics), StringComparison.Ordinal);
                Assert.Contains("circuit_breaker_state{name=\"supabase\"} 0\n", PrometheusScrape.Normalize(metrics), StringComparison.Ordinal);
                var findings = await Promtool.LintMetricsAsync(metrics, TestContext.Current.CancellationToken);
                Assert.True(findings.Length == 0, $"promtool check metrics on {service}:{Environment.NewLine}{findings}");
            }

            // The dashboard's breaker resource follows the fleet, with who opened it and why.
            await app.WaitUntilAsync(() => app.Instances("breaker-replicate").Single().Snapshot.State?.Text == "OPEN", s_propagation, "breaker-replicate to show OPEN");
            var properties = app.Instances("breaker-replicate").Single().Snapshot.Properties.ToDictionary(p => p.Name, p => p.Value?.ToString());
            Assert.Equal("OPEN", properties["breaker.forced"]);
            Assert.Equal("drill", properties["breaker.reason"]);
            Assert.False(string.IsNullOrEmpty(properties["breaker.openedBy"]), "breaker.openedBy should name the instance that opened it");
            Assert.Equal("CLOSED", app.Instances("breaker-supabase").Single().Snapshot.State?.Text);
        }
        finally
        {
            // Reset through the other replica releases it everywhere.
            using var reset = await app.AdminPostAsync(services[1], "/admin/circuit-breakers/replicate/reset");
            Assert.True(reset.IsSuccessStatusCode, $"reset answered {(int)reset.StatusCode}");
        }

        foreach (var service in services)
        {
            await app.WaitUntilAsync(async () => await StateAsync(service, "replicate") == ("CLOSED", "NONE"), s_propagation, $"{service} to show replicate CLOSED after reset");
        }

        await app.WaitUntilAsync(() => app.Instances("breaker-replicate").Single().Snapshot.State?.Text == "CLOSED", s_propagation, "breaker-replicate to show CLOSED after reset");
    }

    [Fact]
    public async Task DashboardCommands_ForceOpenThenReset_GoThroughTheAdminPathToEveryProcess()
    {
        // Arrange
        await app.WaitHealthyAsync(TimeSpan.FromMinutes(1));
        var commands = app.App.Services.GetRequiredService<ResourceCommandService>();

        // Act: the dashboard's "Force open" on breaker-bfl.
        var result = await commands.ExecuteCommandAsync("breaker-bfl", "force-open", TestContext.Current.CancellationToken);
        Assert.True(result.Success, $"force-open command failed: {result.Message}");
        try
        {
            // Assert: every process holds bfl forced OPEN, with the dashboard as the reason.
            foreach (var service in app.ServiceUrls())
            {
                await app.WaitUntilAsync(async () => await StateAsync(service, "bfl") == ("OPEN", "OPEN"), s_propagation, $"{service} to show bfl forced OPEN");
            }

            await app.WaitUntilAsync(() => app.Instances("breaker-bfl").Single().Snapshot.State?.Text == "OPEN", s_propagation, "breaker-bfl to show OPEN");
            Assert.Contains("dashboard", app.Instances("breaker-bfl").Single().Snapshot.Properties.Single(p => p.Name == "breaker.reason").Value?.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            result = await commands.ExecuteCommandAsync("breaker-bfl", "reset", TestContext.Current.CancellationToken);
        }

        Assert.True(result.Success, $"reset command failed: {result.Message}");
        foreach (var service in app.ServiceUrls())
        {
            await app.WaitUntilAsync(async () => await StateAsync(service, "bfl") == ("CLOSED", "NONE"), s_propagation, $"{service} to show bfl CLOSED after the reset command");
        }
    }

    [Fact]
    public async Task ReplicateFailingEverywhere_ForcedFreshProbes_OpenOnlyReplicateInEveryApiReplica()
    {
        // Arrange: every provider is served by the emulator and reported healthy.
        await app.WaitHealthyAsync(TimeSpan.FromMinutes(1));
        var apis = app.Instances("api").Select(WholeAppFixture.DirectUrl).ToList();
        var emulator = WholeAppFixture.DirectUrl(app.Instances("providers").Single());
        var token = await app.AdminTokenAsync();
        using (var detailed = JsonDocument.Parse(await app.Http.GetStringAsync(new Uri(apis[0], "/health/detailed"), TestContext.Current.CancellationToken)))
        {
            var checks = detailed.RootElement.GetProperty("checks").EnumerateArray()
                .ToDictionary(c => c.GetProperty("service").GetString()!, c => c.GetProperty("status").GetString());
            foreach (var provider in new[] { "supabase", "replicate", "elevenlabs", "synclabs", "huggingface", "bfl" })
            {
                Assert.True(checks.TryGetValue(provider, out var status) && status == "healthy",
                    $"{provider} should be listed healthy; checks: {string.Join(", ", checks.Select(c => $"{c.Key}={c.Value}"))}");
            }
        }

        try
        {
            // Act: every Replicate request fails with 500; an operator forces fresh probes until the breaker opens.
            using var fault = await app.Http.PostAsJsonAsync(new Uri(emulator, "/_emulator/faults"),
                new { provider = "replicate", kind = "error", statusCode = 500, rate = 1.0 }, TestContext.Current.CancellationToken);
            Assert.True(fault.IsSuccessStatusCode, $"adding the fault answered {(int)fault.StatusCode}");
            await app.WaitUntilAsync(async () =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(apis[0], "/health/detailed?refresh=true"));
                    request.Headers.Authorization = new("Bearer", token);
                    using var response = await app.Http.SendAsync(request);
                    return (await StateAsync(apis[0], "replicate")).State == "OPEN";
                },
                TimeSpan.FromSeconds(90), "the replicate breaker to open through forced probes", TimeSpan.FromMilliseconds(200));

            // Assert: OPEN in every api replica, every other breaker CLOSED.
            foreach (var api in apis)
            {
                await app.WaitUntilAsync(async () => (await StateAsync(api, "replicate")).State == "OPEN", s_propagation, $"{api} to show replicate OPEN");
                foreach (var other in s_breakers.Where(b => b != "replicate"))
                {
                    Assert.Equal("CLOSED", (await StateAsync(api, other)).State);
                }
            }
        }
        finally
        {
            using var cleared = await app.Http.PostAsync(new Uri(emulator, "/_emulator/reset"), null, TestContext.Current.CancellationToken);
            using var reset = await app.AdminPostAsync(apis[0], "/admin/circuit-breakers/replicate/reset");
        }

        await app.WaitUntilAsync(async () => (await StateAsync(apis[1], "replicate")).State == "CLOSED", s_propagation, "replicate CLOSED again after the reset");
    }

    private async Task<(string State, string Forced)> StateAsync(Uri service, string name)
    {
        using var json = JsonDocument.Parse(await app.Http.GetStringAsync(new Uri(service, "/metrics/circuit-breakers")));
        var breaker = json.RootElement.GetProperty("breakers").EnumerateArray().Single(b => b.GetProperty("name").GetString() == name);
        return (breaker.GetProperty("state").GetString()!, breaker.GetProperty("forced").GetString()!);
    }
}
