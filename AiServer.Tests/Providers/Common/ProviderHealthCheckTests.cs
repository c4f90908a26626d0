using AiServer.Providers;
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
}
