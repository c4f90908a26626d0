using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AiServer.Tests.ProviderEmulator;

/// <summary>One emulator on a free loopback port with real Kestrel, shared by every emulator test (they run as one collection).</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public const string ReplicateKey = "r8_emulator_test";
    public const string ElevenLabsKey = "el_emulator_test";
    public const string SyncKey = "sync_emulator_test";
    public const string HuggingFaceKey = "hf_emulator_test";
    public const string BflKey = "bfl_emulator_test";
    public const string SupabaseKey = "sb_secret_emulator_test";
    public const string SyncWebhookSecret = "sync-test-secret";

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
            "--Emulator:Replicate:ApiKey", ReplicateKey,
            "--Emulator:Replicate:Models:0", "aiserver/trained",
            "--Emulator:ElevenLabs:ApiKey", ElevenLabsKey,
            "--Emulator:ElevenLabs:VoiceLimit", "2",
            "--Emulator:SyncLabs:ApiKey", SyncKey,
            "--Emulator:SyncLabs:WebhookSecret", SyncWebhookSecret,
            "--Emulator:HuggingFace:ApiKey", HuggingFaceKey,
            "--Emulator:HuggingFace:ModelLoadingTime", "00:00:00.500",
            "--Emulator:Bfl:ApiKey", BflKey,
            "--Emulator:Supabase:ApiKey", SupabaseKey,
            "--Emulator:Supabase:Functions:get_stats", "{\"jobs\":3,\"ok\":true}",
        ]);
        await _app.StartAsync(TestContext.Current.CancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseUri = new Uri(address.TrimEnd('/') + "/");
        Control = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>A client whose BaseAddress is the provider's emulated base URL, carrying the provider's credential.</summary>
    public HttpClient Client(string provider, bool authenticated = true, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUri, provider + "/"), Timeout = timeout ?? TimeSpan.FromSeconds(10) };
        if (!authenticated)
        {
            return client;
        }

        switch (provider)
        {
            case "replicate":
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ReplicateKey);
                break;
            case "elevenlabs":
                client.DefaultRequestHeaders.Add("xi-api-key", ElevenLabsKey);
                break;
            case "synclabs":
                client.DefaultRequestHeaders.Add("x-api-key", SyncKey);
                break;
            case "huggingface":
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HuggingFaceKey);
                break;
            case "bfl":
                client.DefaultRequestHeaders.Add("x-key", BflKey);
                break;
            case "supabase":
                client.DefaultRequestHeaders.Add("apikey", SupabaseKey);
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SupabaseKey);
                break;
        }

        return client;
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
