using AiServer.Providers;
using AiServer.Providers.Health;
using AiServer.Providers.Telemetry;
using AiServer.Tests.Infrastructure;
using AiServer.ServiceDefaults.Health;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiServer.Tests.Providers.Common;

public sealed class ProviderHealthCheckTests(ProviderEmulatorFixture emulator) : IClassFixture<ProviderEmulatorFixture>
{
    private static readonly string[] Names = ["supabase", "replicate", "elevenlabs", "synclabs", "huggingface", "bfl"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<HealthReport> DetailedAsync(ProviderTestHost host) =>
        host.Get<HealthCheckService>().CheckHealthAsync(r => Names.Contains(r.Name), Ct);

    private async Task<int> AccountProbesAsync() =>
        (await emulator.RequestsAsync("replicate")).Count(r => (string?)r!["path"] == "/replicate/v1/account");

    [Fact]
    public async Task AddAiProviders_Registrations_OneDetailedOnlyCheckPerProvider()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var registrations = host.Get<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Where(r => Names.Contains(r.Name)).ToList();

        Assert.Equal(Names.Order(), registrations.Select(r => r.Name).Order());
        Assert.All(registrations, r => Assert.Equal([HealthTags.Detailed], r.Tags));
        Assert.Contains(host.Services.GetServices<IHealthCheckCache>(), c => c.GetType().Name == "ProviderHealthCache");
    }

    [Fact]
    public async Task CheckHealthAsync_ProviderHangs_AnswersAtTheProbeDeadlineWithTimedOutAndCachesIt()
    {
        // Arrange: Replicate accepts connections and never answers (the pipeline alone would wait up to its 30 s here,
        // 120 s in production); the probe deadline is 1 s.
        await using var host = await ProviderTestHost.StartAsync(emulator, new Dictionary<string, string?> { ["Providers:Health:ProbeTimeout"] = "00:00:01" });
        await emulator.AddFaultAsync(new { provider = "replicate", kind = "hang" });
        try
        {
            // Act: bounded waits far below the pipeline's 30 s, so a check that ignored the deadline fails here.
            var report = await host.Get<HealthCheckService>().CheckHealthAsync(r => r.Name == "replicate", Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
            var again = await host.Get<HealthCheckService>().CheckHealthAsync(r => r.Name == "replicate", Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);

            // Assert: unhealthy with "timed out", then the cached verdict.
            var entry = report.Entries["replicate"];
            Assert.Equal(HealthStatus.Unhealthy, entry.Status);
            Assert.Contains("timed out", entry.Description, StringComparison.Ordinal);
            Assert.Equal(HealthStatus.Unhealthy, again.Entries["replicate"].Status);
            Assert.Equal(true, again.Entries["replicate"].Data["cached"]);
        }
        finally
        {
            await emulator.ResetAsync();
        }
    }

    [Fact]
    public async Task CheckHealthAsync_Emulator_EveryProviderHealthy()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var report = await DetailedAsync(host);

        Assert.All(Names, n => Assert.True(report.Entries[n].Status == HealthStatus.Healthy, $"{n}: {report.Entries[n].Description}"));
    }

    [Fact]
    public async Task CheckHealthAsync_SecondRun_ServedFromCacheUntilInvalidated()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        await DetailedAsync(host);
        var afterFirst = await AccountProbesAsync();

        var cached = await DetailedAsync(host);
        var afterSecond = await AccountProbesAsync();
        foreach (var cache in host.Services.GetServices<IHealthCheckCache>())
        {
            cache.Invalidate();
        }

        var fresh = await DetailedAsync(host);
        var afterRefresh = await AccountProbesAsync();

        Assert.Equal(afterFirst, afterSecond);
        Assert.Equal(true, cached.Entries["replicate"].Data["cached"]);
        Assert.Equal(afterFirst + 1, afterRefresh);
        Assert.Equal(false, fresh.Entries["replicate"].Data["cached"]);
    }

    [Fact]
    public async Task CheckHealthAsync_BreakerOpen_DegradedWithoutCallingTheProvider()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        await host.Get<ICircuitBreakerRegistry>().Get(ProviderNames.Replicate).ForceOpenAsync("test isolation", Ct);
        var before = await AccountProbesAsync();

        var report = await DetailedAsync(host);

        Assert.Equal(HealthStatus.Degraded, report.Entries["replicate"].Status);
        Assert.Contains("OPEN", report.Entries["replicate"].Description, StringComparison.Ordinal);
        Assert.Equal(before, await AccountProbesAsync());
        Assert.Equal(HealthStatus.Healthy, report.Entries["bfl"].Status);
    }

    [Fact]
    public async Task CheckHealthAsync_NoKey_DegradedNotConfigured()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator, new Dictionary<string, string?> { ["Providers:Bfl:ApiKey"] = "" });

        var report = await DetailedAsync(host);

        Assert.Equal(HealthStatus.Degraded, report.Entries["bfl"].Status);
        Assert.Contains("not configured", report.Entries["bfl"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealthAsync_ProviderDown_UnhealthyWithoutTheKeyInTheMessage()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator, new Dictionary<string, string?> { ["Providers:Bfl:ApiKey"] = "bfl_secret_wrong_key_123" });

        var report = await DetailedAsync(host);

        Assert.Equal(HealthStatus.Unhealthy, report.Entries["bfl"].Status);
        Assert.DoesNotContain("bfl_secret_wrong_key_123", report.Entries["bfl"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealthAsync_ConcurrentChecksAfterExpiry_OneProviderRequest()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var registration = host.Get<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Single(r => r.Name == "replicate");
        var before = await AccountProbesAsync();

        // Started back to back: the first starts the probe (which awaits the socket), the rest find it in flight.
        var checks = Enumerable.Range(0, 20)
            .Select(_ => registration.Factory(host.Services).CheckHealthAsync(new HealthCheckContext { Registration = registration }, Ct))
            .ToList();
        var results = await Wait.ForAsync(Task.WhenAll(checks), TimeSpan.FromSeconds(30), "20 concurrent replicate checks");

        Assert.All(results, r => Assert.Equal(HealthStatus.Healthy, r.Status));
        Assert.Equal(before + 1, await AccountProbesAsync());
    }

    [Fact]
    public async Task CheckHealthAsync_ProbeThrowsUnexpectedException_UnhealthyAndCached()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var probes = 0;
        var check = new ProviderHealthCheck(
            ProviderNames.Replicate,
            _ =>
            {
                Interlocked.Increment(ref probes);
                throw new InvalidOperationException("boom");
            },
            host.Get<ICircuitBreakerRegistry>(),
            host.Get<ProviderHealthCache>(),
            host.Get<SharedProviderHealth>(),
            host.Get<ProviderMetrics>(),
            TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        var first = await check.CheckHealthAsync(new HealthCheckContext(), Ct);
        var second = await check.CheckHealthAsync(new HealthCheckContext(), Ct);

        Assert.Equal(HealthStatus.Unhealthy, first.Status);
        Assert.Contains("InvalidOperationException", first.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Unhealthy, second.Status);
        Assert.Equal(true, second.Data["cached"]);
        Assert.Equal(1, probes);
    }
}
