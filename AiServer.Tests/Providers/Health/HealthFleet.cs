using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AiServer.Providers;
using AiServer.ServiceDefaults;
using AiServer.ServiceDefaults.Redis;
using AiServer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace AiServer.Tests.Providers.Health;

/// <summary>
/// api instances for the shared health tests: in-process, real Kestrel, each with its own Redis connection, breakers
/// and instance id, all pointed at one emulator, whose request log says which probes reached a provider.
/// </summary>
internal static class HealthFleet
{
    public const string Token = "shared-health-token";

    /// <summary>The first request of each provider's health probe (Hugging Face's probe makes two; the first is counted).</summary>
    public static readonly Dictionary<string, Func<string, bool>> ProbePaths = new()
    {
        ["replicate"] = p => p == "/replicate/v1/account",
        ["supabase"] = p => p == "/supabase/auth/v1/health",
        ["elevenlabs"] = p => p == "/elevenlabs/v1/user",
        ["synclabs"] = p => p == "/synclabs/v2/models",
        ["huggingface"] = p => p.StartsWith("/huggingface/api/models/", StringComparison.Ordinal),
        ["bfl"] = p => p == "/bfl/v1/credits",
    };

    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static string Prefix() => $"health-{Guid.NewGuid():N}:";

    public static Task<TestWebApp> StartInstanceAsync(ProviderEmulatorFixture emulator, string connectionString, string prefix, string id, IDictionary<string, string?>? overrides = null)
    {
        var settings = ProviderTestHost.EmulatorConfiguration(emulator);
        settings["ConnectionStrings:redis"] = connectionString;
        settings["Redis:KeyPrefix"] = prefix;
        settings["OTEL_RESOURCE_ATTRIBUTES"] = $"service.name=api,service.instance.id={id}";
        settings["Admin:Token"] = Token;
        // Generous on purpose (2 shared cores): a slow Redis call or probe must not turn into a second probe or a
        // stale answer in a test about something else. The tests about those set their own.
        settings["Providers:Health:CacheDuration"] = "00:10:00";
        settings["Providers:Health:ProbeTimeout"] = "00:00:10";
        settings["Providers:Health:SharedTimeout"] = "00:00:05";
        settings["Health:Deadlines:Detailed"] = "00:00:40";
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return TestWebApp.StartAsync(
            builder =>
            {
                builder.AddServiceDefaults();
                builder.AddAiServerRedisClient("redis");
                builder.AddAiProviders();
            },
            app => app.MapDefaultEndpoints(),
            settings);
    }

    /// <summary>How many health probes of each provider the emulator has seen.</summary>
    public static async Task<Dictionary<string, int>> ProbeCountsAsync(ProviderEmulatorFixture emulator)
    {
        var counts = new Dictionary<string, int>();
        foreach (var (provider, isProbe) in ProbePaths)
        {
            counts[provider] = (await emulator.RequestsAsync(provider)).Count(r => (string?)r!["path"] is { } path && isProbe(path));
        }

        return counts;
    }

    /// <summary><c>GET /health/detailed</c> (with the admin token for <c>?refresh=true</c>), parsed.</summary>
    public static async Task<DetailedReport> DetailedAsync(TestWebApp app, bool refresh = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, refresh ? "/health/detailed?refresh=true" : "/health/detailed");
        if (refresh)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        using var response = await Wait.ForAsync(app.Client.SendAsync(request, Ct), RequestTimeout, $"GET {request.RequestUri} on {app.BaseAddress}");
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"/health/detailed answered {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        var checks = json.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(
            e => e.GetProperty("service").GetString()!,
            e => new CheckEntry(e.GetProperty("status").GetString()!, e.GetProperty("details").Clone()));
        return new DetailedReport(checks);
    }

    /// <summary>
    /// A host's own <c>provider_health_probes_total</c> measurements: in-process hosts' exporters see each other's
    /// meters, so counts are taken from the host's <see cref="IMeterFactory"/>.
    /// </summary>
    public static MetricCollector<long> ProbeCounter(TestWebApp app) =>
        new(app.App.Services.GetRequiredService<IMeterFactory>(), "AiServer.Providers", "provider.health.probes");

    public static List<string?> Sources(MetricCollector<long> collector, string provider) =>
        collector.GetMeasurementSnapshot().Where(m => (string?)m.Tags["provider"] == provider).Select(m => (string?)m.Tags["source"]).ToList();
}
