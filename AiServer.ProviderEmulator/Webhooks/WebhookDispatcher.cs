using System.Net;
using System.Threading.Channels;
using AiServer.ProviderEmulator.Infrastructure;

namespace AiServer.ProviderEmulator.Webhooks;

/// <summary>Queues webhooks for <see cref="WebhookWorker"/>; only loopback URLs are ever called.</summary>
internal sealed class WebhookDispatcher(TimeProvider time, ILogger<WebhookDispatcher> logger) : IResettable
{
    private readonly Channel<WebhookDelivery> _queue = Channel.CreateUnbounded<WebhookDelivery>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly List<WebhookAttempt> _log = [];

    public ChannelReader<WebhookDelivery> Reader => _queue.Reader;

    /// <summary>Queues a delivery; a non-loopback or malformed URL is logged and dropped.</summary>
    public void Enqueue(string provider, string? url, byte[] body, IReadOnlyDictionary<string, string> headers)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !IsLoopback(uri))
        {
            EmulatorLog.WebhookRefused(logger, provider, url);
            Record(new WebhookAttempt(provider, url, time.GetUtcNow(), 0, null, "refused: not a loopback http(s) URL"));
            return;
        }

        _queue.Writer.TryWrite(new WebhookDelivery(provider, uri, body, headers));
    }

    public void Record(WebhookAttempt attempt)
    {
        lock (_gate)
        {
            _log.Add(attempt);
            if (_log.Count > 1000)
            {
                _log.RemoveAt(0);
            }
        }
    }

    public IReadOnlyList<WebhookAttempt> List(string? provider)
    {
        lock (_gate)
        {
            return [.. _log.Where(a => provider is null || string.Equals(a.Provider, provider, StringComparison.OrdinalIgnoreCase))];
        }
    }

    public void Reset()
    {
        while (_queue.Reader.TryRead(out _))
        {
        }

        lock (_gate)
        {
            _log.Clear();
        }
    }

    public static bool IsLoopback(Uri uri) =>
        (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));
}
