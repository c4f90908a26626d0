using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.ProviderEmulator;

/// <summary>One emulator shared by every emulator test (they run as one collection).</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    private EmulatorHost _host = null!;

    public Uri BaseUri => _host.BaseUri;

    public HttpClient Control => _host.Control;

    public async ValueTask InitializeAsync() =>
        _host = await EmulatorHost.StartAsync(
        [
            .. EmulatorHost.KeyedArguments,
            "--Emulator:JobDuration", "00:00:00.300",
            "--Emulator:ElevenLabs:VoiceLimit", "2",
            "--Emulator:HuggingFace:ModelLoadingTime", "00:00:00.500",
        ]);

    /// <summary>A client whose BaseAddress is the provider's emulated base URL, carrying the provider's credential.</summary>
    public HttpClient Client(string provider, bool authenticated = true, TimeSpan? timeout = null) => _host.Client(provider, authenticated, timeout);

    public Task ResetAsync() => _host.ResetAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
