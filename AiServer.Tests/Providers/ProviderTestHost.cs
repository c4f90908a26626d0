using AiServer.Providers;
using AiServer.ServiceDefaults.Resilience;
using AiServer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AiServer.Tests.Providers;

/// <summary>
/// A generic host with <c>AddAiProviders()</c> pointed at the emulator, short timeouts and small breakers, so the suite
/// stays fast. Each test builds its own host, so breakers and caches start fresh.
/// </summary>
public sealed class ProviderTestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private ProviderTestHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    // Timeouts are generous on purpose: these tests share 2 cores with the whole-app tests (a dozen processes starting),
    // and a slow attempt must not fail a test about something else. Tests about timeouts set their own.
    public static Dictionary<string, string?> EmulatorConfiguration(ProviderEmulatorFixture emulator) => new()
    {
        ["Providers:Replicate:BaseUrl"] = emulator.Url("replicate"),
        ["Providers:Replicate:ApiKey"] = EmulatorHost.ReplicateKey,
        ["Providers:Replicate:PreferWait"] = "00:00:01",
        ["Providers:Replicate:PollInterval"] = "00:00:00.100",
        ["Providers:Replicate:RunTimeout"] = "00:00:15",
        ["Providers:Replicate:AttemptTimeout"] = "00:00:10",
        ["Providers:Replicate:TotalRequestTimeout"] = "00:00:30",
        ["Providers:Supabase:BaseUrl"] = emulator.Url("supabase"),
        ["Providers:Supabase:ApiKey"] = EmulatorHost.SupabaseKey,
        ["Providers:Supabase:AttemptTimeout"] = "00:00:10",
        ["Providers:Supabase:TotalRequestTimeout"] = "00:00:30",
        ["Providers:ElevenLabs:BaseUrl"] = emulator.Url("elevenlabs"),
        ["Providers:ElevenLabs:ApiKey"] = EmulatorHost.ElevenLabsKey,
        ["Providers:ElevenLabs:AttemptTimeout"] = "00:00:10",
        ["Providers:ElevenLabs:TotalRequestTimeout"] = "00:00:30",
        ["Providers:ElevenLabs:SystemBusyBaseDelay"] = "00:00:00.200",
        ["Providers:SyncLabs:BaseUrl"] = emulator.Url("synclabs"),
        ["Providers:SyncLabs:ApiKey"] = EmulatorHost.SyncKey,
        ["Providers:SyncLabs:WebhookSecret"] = EmulatorHost.SyncWebhookSecret,
        ["Providers:SyncLabs:AttemptTimeout"] = "00:00:10",
        ["Providers:SyncLabs:TotalRequestTimeout"] = "00:00:30",
        ["Providers:HuggingFace:BaseUrl"] = emulator.Url("huggingface/hf-inference"),
        ["Providers:HuggingFace:HubUrl"] = emulator.Url("huggingface"),
        ["Providers:HuggingFace:SpaceUrl"] = emulator.Url("huggingface/spaces/fancyfeast/joy-caption-alpha-two"),
        ["Providers:HuggingFace:ApiKey"] = EmulatorHost.HuggingFaceKey,
        ["Providers:HuggingFace:AttemptTimeout"] = "00:00:10",
        ["Providers:HuggingFace:TotalRequestTimeout"] = "00:00:30",
        ["Providers:Bfl:BaseUrl"] = emulator.Url("bfl"),
        ["Providers:Bfl:ApiKey"] = EmulatorHost.BflKey,
        ["Providers:Bfl:PollInterval"] = "00:00:00.100",
        ["Providers:Bfl:AttemptTimeout"] = "00:00:10",
        ["Providers:Bfl:TotalRequestTimeout"] = "00:00:30",
        ["Providers:FileDownload:AllowedHosts:0"] = "127.0.0.1",
        ["Providers:FileDownload:AttemptTimeout"] = "00:00:10",
        ["Providers:FileDownload:TotalRequestTimeout"] = "00:00:30",
        ["CircuitBreakers:replicate:FailureThreshold"] = "3",
        ["CircuitBreakers:supabase:FailureThreshold"] = "3",
        ["CircuitBreakers:elevenlabs:FailureThreshold"] = "3",
        ["CircuitBreakers:synclabs:FailureThreshold"] = "3",
        ["CircuitBreakers:huggingface:FailureThreshold"] = "3",
        ["CircuitBreakers:bfl:FailureThreshold"] = "3",
        ["CircuitBreakers:file-download:FailureThreshold"] = "3",
    };

    public static async Task<ProviderTestHost> StartAsync(ProviderEmulatorFixture emulator, IDictionary<string, string?>? overrides = null)
    {
        var settings = EmulatorConfiguration(emulator);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return await StartAsync(settings);
    }

    public static async Task<ProviderTestHost> StartAsync(IDictionary<string, string?> settings, ILoggerProvider? logs = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(settings);
        if (logs is not null)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddProvider(logs);
        }

        builder.AddFleetCircuitBreakers(); // what AddServiceDefaults() adds for the providers in the api and the workers
        builder.AddAiProviders();
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        return new ProviderTestHost(host);
    }

    public T Get<T>()
        where T : notnull => _host.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }
}
