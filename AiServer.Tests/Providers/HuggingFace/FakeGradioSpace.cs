using AiServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AiServer.Tests.Providers.HuggingFace;

/// <summary>A Gradio Space on 127.0.0.1 whose event stream is small (<c>normal</c>), one endless line (<c>longline</c>) or endless data lines (<c>manydata</c>).</summary>
public sealed class FakeGradioSpace : IAsyncLifetime
{
    private TestWebApp _app = null!;

    public Uri BaseUri => _app.BaseAddress;

    public async ValueTask InitializeAsync() =>
        _app = await TestWebApp.StartAsync(
            builder => builder.Logging.ClearProviders(),
            app =>
            {
                app.MapPost("/{mode}/gradio_api/call/stream_chat", (string mode) => Results.Json(new { event_id = mode }));
                app.MapGet("/{mode}/gradio_api/call/stream_chat/{id}", async (HttpContext context, string mode) =>
                {
                    context.Response.ContentType = "text/event-stream";
                    var body = context.Response.Body;
                    switch (mode)
                    {
                        case "longline":
                            await body.WriteAsync("event: generating\ndata: "u8.ToArray(), context.RequestAborted);
                            for (var i = 0; i < 100; i++)
                            {
                                await body.WriteAsync(new byte[1000].Select(_ => (byte)'x').ToArray(), context.RequestAborted);
                            }

                            break;
                        case "manydata":
                            await body.WriteAsync("event: generating\n"u8.ToArray(), context.RequestAborted);
                            for (var i = 0; i < 100; i++)
                            {
                                await body.WriteAsync("data: 0123456789012345678901234567890123456789\n"u8.ToArray(), context.RequestAborted);
                            }

                            await body.WriteAsync("\n"u8.ToArray(), context.RequestAborted);
                            break;
                        default:
                            await body.WriteAsync("event: generating\r\ndata: [\"a\"]\r\n\r\nevent: complete\r\ndata: [\"a cat\"]\r\n\r\n"u8.ToArray(), context.RequestAborted);
                            break;
                    }
            });
            });

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
