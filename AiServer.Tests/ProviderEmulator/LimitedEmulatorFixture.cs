using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.ProviderEmulator;

/// <summary>A second emulator with tight limits (request windows, ElevenLabs concurrency), kept apart from the shared one.</summary>
public sealed class LimitedEmulatorFixture : IAsyncLifetime
{
    private EmulatorHost _host = null!;

    public Uri BaseUri => _host.BaseUri;

    public async ValueTask InitializeAsync() =>
        _host = await EmulatorHost.StartAsync(
            "--Emulator:Replicate:RequestsPerMinute", "2",
            "--Emulator:ElevenLabs:MaxConcurrentRequests", "1",
            "--Emulator:ElevenLabs:JobDuration", "00:00:02");

    public HttpClient Client(string provider) => _host.Client(provider, authenticated: false);

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
