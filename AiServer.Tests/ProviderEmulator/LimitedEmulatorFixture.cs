using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AiServer.Tests.ProviderEmulator;

/// <summary>A second emulator with tight limits (request windows, ElevenLabs concurrency), kept apart from the shared one.</summary>
public sealed class LimitedEmulatorFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public Uri BaseUri { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _app = AiServer.ProviderEmulator.Program.BuildApp(
        [
            "--urls", "http://127.0.0.1:0",
            "--Logging:LogLevel:Default", "Warning",
            "--Emulator:Replicate:RequestsPerMinute", "2",
            "--Emulator:ElevenLabs:MaxConcurrentRequests", "1",
            "--Emulator:ElevenLabs:JobDuration", "00:00:02",
        ]);
        await _app.StartAsync(TestContext.Current.CancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseUri = new Uri(address.TrimEnd('/') + "/");
    }

    public HttpClient Client(string provider) => new() { BaseAddress = new Uri(BaseUri, provider + "/"), Timeout = TimeSpan.FromSeconds(10) };

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
    }
}
