using AiServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AiServer.Tests.Providers.FileDownload;

/// <summary>A tiny origin on 127.0.0.1 for what the emulator does not serve: redirects and bodies without Content-Length.</summary>
public sealed class TestOrigin : IAsyncLifetime
{
    private TestWebApp _app = null!;

    public Uri BaseUri => _app.BaseAddress;

    public async ValueTask InitializeAsync() =>
        _app = await TestWebApp.StartAsync(
            builder => builder.Logging.ClearProviders(),
            app =>
            {
                app.MapGet("/redirect", (string to) => Results.Redirect(to));
                app.MapGet("/chunked", async (HttpContext context, long size) =>
                {
                    context.Response.ContentType = "video/mp4";
                    var chunk = new byte[8192];
                    for (long sent = 0; sent < size; sent += chunk.Length)
                    {
                        await context.Response.Body.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, size - sent)), context.RequestAborted);
                        await context.Response.Body.FlushAsync(context.RequestAborted);
                    }
            });
            app.MapGet("/slow", async (HttpContext context, int chunks, int delayMs) =>
            {
                context.Response.ContentType = "image/png";
                for (var i = 0; i < chunks; i++)
                {
                    await context.Response.Body.WriteAsync(new byte[100], context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(delayMs, context.RequestAborted);
                }
            });
            });

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
