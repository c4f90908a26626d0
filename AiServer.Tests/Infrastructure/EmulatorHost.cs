using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AiServer.Tests.Infrastructure;

/// <summary>The provider emulator in-process on a free loopback port with real Kestrel, and clients for it.</summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    public const string ReplicateKey = "r8_emulator_test";
    public const string ElevenLabsKey = "el_emulator_test";
    public const string SyncKey = "sync_emulator_test";
    public const string HuggingFaceKey = "hf_emulator_test";
    public const string BflKey = "bfl_emulator_test";
    public const string SupabaseKey = "sb_secret_emulator_test";
    public const string SyncWebhookSecret = "sync-test-secret";

    /// <summary>Arguments that make the emulator demand the keys above (and know a few fixtures' names).</summary>
    public static readonly string[] KeyedArguments =
    [
        "--Emulator:Replicate:ApiKey", ReplicateKey,
        "--Emulator:Replicate:Models:0", "aiserver/trained",
        "--Emulator:ElevenLabs:ApiKey", ElevenLabsKey,
        "--Emulator:SyncLabs:ApiKey", SyncKey,
        "--Emulator:SyncLabs:WebhookSecret", SyncWebhookSecret,
        "--Emulator:HuggingFace:ApiKey", HuggingFaceKey,
        "--Emulator:Bfl:ApiKey", BflKey,
        "--Emulator:Supabase:ApiKey", SupabaseKey,
        "--Emulator:Supabase:Functions:get_stats", "{\"jobs\":3,\"ok\":true}",
    ];

    private readonly WebApplication _app;

    private EmulatorHost(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
        Control = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri BaseUri { get; }

    /// <summary>A client for the control API (<c>/_emulator/...</c>).</summary>
    public HttpClient Control { get; }

    /// <summary>Starts an emulator with the given configuration arguments (after the common ones).</summary>
    public static async Task<EmulatorHost> StartAsync(params string[] arguments)
    {
        var app = AiServer.ProviderEmulator.Program.BuildApp(
        [
            "--urls", "http://127.0.0.1:0",
            "--environment", "Testing",
            "--Logging:LogLevel:Default", "Warning",
            .. arguments,
        ]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(cts.Token);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new EmulatorHost(app, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>The emulated base URL of a provider, e.g. <c>http://127.0.0.1:PORT/replicate</c>.</summary>
    public string Url(string prefix) => new Uri(BaseUri, prefix).AbsoluteUri;

    /// <summary>A client whose BaseAddress is the provider's emulated base URL, carrying that provider's credential.</summary>
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

    /// <summary>Adds a fault through <c>POST /_emulator/faults</c>.</summary>
    public async Task AddFaultAsync(object fault)
    {
        using var response = await Control.PostAsJsonAsync("_emulator/faults", fault, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, "adding the fault failed: " + await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>The requests the emulator recorded for one provider.</summary>
    public async Task<JsonArray> RequestsAsync(string provider) =>
        (await Control.GetFromJsonAsync<JsonArray>($"_emulator/requests?provider={provider}", TestContext.Current.CancellationToken))!;

    public async Task ResetAsync()
    {
        using var response = await Control.PostAsync("_emulator/reset", null, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        Control.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
