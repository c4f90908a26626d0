using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiServer.Tests.Providers.FileDownload;

/// <summary>A tiny origin on 127.0.0.1 for what the emulator does not serve: redirects and bodies without Content-Length.</summary>
public sealed class TestOrigin : IAsyncLifetime
{
    private WebApplication? _app;

    public Uri BaseUri { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/redirect", (string to) => Results.Redirect(to));
        _app.MapGet("/chunked", async (HttpContext context, long size) =>
        {
            context.Response.ContentType = "video/mp4";
            var chunk = new byte[8192];
            for (long sent = 0; sent < size; sent += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, size - sent)), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        });
        _app.MapGet("/slow", async (HttpContext context, int chunks, int delayMs) =>
        {
            context.Response.ContentType = "image/png";
            for (var i = 0; i < chunks; i++)
            {
                await context.Response.Body.WriteAsync(new byte[100], context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(delayMs, context.RequestAborted);
            }
        });
        await _app.StartAsync(TestContext.Current.CancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseUri = new Uri(address.TrimEnd('/') + "/");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
    }
}
