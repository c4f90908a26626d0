using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AiServer.Tests.Providers;

/// <summary>
/// The provider emulator on a free loopback port (real Kestrel), one per provider test class, so a fault injected by one
/// class never reaches another class running in parallel.
/// </summary>
public sealed class ProviderEmulatorFixture : IAsyncLifetime
{
    public const string ReplicateKey = "r8_provider_client_test_key";
    public const string ElevenLabsKey = "el_provider_client_test_key";
    public const string SyncKey = "sync_provider_client_test_key";
    public const string HuggingFaceKey = "hf_provider_client_test_key";
    public const string BflKey = "bfl_provider_client_test_key";
    public const string SupabaseKey = "sb_secret_provider_client_test_key";
    public const string SyncWebhookSecret = "sync-provider-test-secret";

    private WebApplication? _app;

    public Uri BaseUri { get; private set; } = null!;

    public HttpClient Control { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _app = AiServer.ProviderEmulator.Program.BuildApp(
        [
            "--urls", "http://127.0.0.1:0",
            "--environment", "Testing",
            "--Logging:LogLevel:Default", "Warning",
            "--Emulator:JobDuration", "00:00:00.300",
            // Longer than the client's Prefer: wait=1, so a run has to poll.
            "--Emulator:Replicate:JobDuration", "00:00:01.400",
            "--Emulator:Replicate:ApiKey", ReplicateKey,
            "--Emulator:Replicate:Models:0", "aiserver/trained",
            "--Emulator:ElevenLabs:ApiKey", ElevenLabsKey,
            "--Emulator:ElevenLabs:VoiceLimit", "3",
            "--Emulator:ElevenLabs:MaxConcurrentRequests", "2",
            "--Emulator:ElevenLabs:JobDuration", "00:00:00.200",
            "--Emulator:SyncLabs:ApiKey", SyncKey,
            "--Emulator:SyncLabs:WebhookSecret", SyncWebhookSecret,
            "--Emulator:HuggingFace:ApiKey", HuggingFaceKey,
            "--Emulator:HuggingFace:ModelLoadingTime", "00:00:00.800",
            "--Emulator:Bfl:ApiKey", BflKey,
            "--Emulator:Supabase:ApiKey", SupabaseKey,
            "--Emulator:Supabase:Functions:get_stats", "{\"jobs\":3,\"ok\":true}",
        ]);
        await _app.StartAsync(TestContext.Current.CancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseUri = new Uri(address.TrimEnd('/') + "/");
        Control = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>The emulated base URL of a provider, e.g. <c>http://127.0.0.1:PORT/replicate</c>.</summary>
    public string Url(string prefix) => new Uri(BaseUri, prefix).AbsoluteUri;

    /// <summary>Adds a fault through <c>POST /_emulator/faults</c>.</summary>
    public async Task AddFaultAsync(object fault)
    {
        using var response = await Control.PostAsJsonAsync("_emulator/faults", fault, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, "adding the fault failed: " + await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>The requests the emulator recorded for one provider.</summary>
    public async Task<JsonArray> RequestsAsync(string provider)
    {
        var json = await Control.GetFromJsonAsync<JsonArray>($"_emulator/requests?provider={provider}", TestContext.Current.CancellationToken);
        return json!;
    }

    public async Task ResetAsync()
    {
        using var response = await Control.PostAsync("_emulator/reset", null, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        Control?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
    }
}
