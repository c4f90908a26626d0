using System.Text.Json.Nodes;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.Providers;

/// <summary>
/// The provider emulator, one per provider test class, so a fault injected by one class never reaches another class
/// running in parallel.
/// </summary>
public sealed class ProviderEmulatorFixture : IAsyncLifetime
{
    private EmulatorHost _host = null!;

    public Uri BaseUri => _host.BaseUri;

    public HttpClient Control => _host.Control;

    public async ValueTask InitializeAsync() =>
        _host = await EmulatorHost.StartAsync(
        [
            .. EmulatorHost.KeyedArguments,
            "--Emulator:JobDuration", "00:00:00.300",
            // Longer than the client's Prefer: wait=1, so a run has to poll.
            "--Emulator:Replicate:JobDuration", "00:00:01.400",
            "--Emulator:ElevenLabs:VoiceLimit", "3",
            "--Emulator:ElevenLabs:MaxConcurrentRequests", "2",
            "--Emulator:ElevenLabs:JobDuration", "00:00:00.200",
            "--Emulator:HuggingFace:ModelLoadingTime", "00:00:00.800",
        ]);

    /// <summary>The emulated base URL of a provider, e.g. <c>http://127.0.0.1:PORT/replicate</c>.</summary>
    public string Url(string prefix) => _host.Url(prefix);

    /// <summary>Adds a fault through <c>POST /_emulator/faults</c>.</summary>
    public Task AddFaultAsync(object fault) => _host.AddFaultAsync(fault);

    /// <summary>The requests the emulator recorded for one provider.</summary>
    public Task<JsonArray> RequestsAsync(string provider) => _host.RequestsAsync(provider);

    public Task ResetAsync() => _host.ResetAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
