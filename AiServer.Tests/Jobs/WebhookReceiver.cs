using System.Collections.Concurrent;
using System.Net;

namespace AiServer.Tests.Jobs;

/// <summary>
/// A client's webhook endpoint on loopback (HttpListener): answers 500 to the first <c>failuresPerMessage</c> attempts of
/// every <c>webhook-id</c>, then 200, and records every request.
/// </summary>
internal sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly int _failuresPerMessage;
    private readonly ConcurrentDictionary<string, int> _seen = new(StringComparer.Ordinal);
    private readonly Task _loop;

    public WebhookReceiver(int port, int failuresPerMessage)
    {
        _failuresPerMessage = failuresPerMessage;
        Url = $"http://127.0.0.1:{port}/hooks/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public ConcurrentQueue<Received> Requests { get; } = new();

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // closing ends the loop with an exception
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var id = context.Request.Headers["webhook-id"] ?? string.Empty;
            var attempt = _seen.AddOrUpdate(id, 1, (_, n) => n + 1);
            var status = attempt <= _failuresPerMessage ? 500 : 200;
            Requests.Enqueue(new Received(
                id,
                context.Request.Headers["webhook-timestamp"] ?? string.Empty,
                context.Request.Headers["webhook-signature"] ?? string.Empty,
                body.ToArray(),
                status,
                TimeProvider.System.GetUtcNow()));
            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }

    public sealed record Received(string Id, string Timestamp, string Signature, byte[] Body, int AnsweredStatus, DateTimeOffset At);
}
