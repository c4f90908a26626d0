using AiServer.ProviderEmulator.Infrastructure;

namespace AiServer.ProviderEmulator.Webhooks;

/// <summary>
/// Delivers queued webhooks one at a time (so a job's events arrive in order), retrying network errors and 5xx
/// a few times like the providers do; redirects are not followed (Replicate documents that).
/// </summary>
internal sealed class WebhookWorker(
    WebhookDispatcher dispatcher,
    IHttpClientFactory clients,
    TimeProvider time,
    ILogger<WebhookWorker> logger) : BackgroundService
{
    public const string ClientName = "webhooks";
    private const int MaxAttempts = 3;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var delivery in dispatcher.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await DeliverAsync(delivery, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    private async Task DeliverAsync(WebhookDelivery delivery, CancellationToken stoppingToken)
    {
        var client = clients.CreateClient(ClientName);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(delivery.Body) };
                request.Content.Headers.ContentType = new("application/json");
                foreach (var (name, value) in delivery.Headers)
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                using var response = await client.SendAsync(request, stoppingToken).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                EmulatorLog.WebhookDelivered(logger, delivery.Provider, delivery.Url.ToString(), status);
                if (status < 500 || attempt == MaxAttempts)
                {
                    dispatcher.Record(new WebhookAttempt(delivery.Provider, delivery.Url.ToString(), time.GetUtcNow(), attempt, status, status < 300 ? "delivered" : "rejected"));
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                EmulatorLog.WebhookFailed(logger, ex, delivery.Provider, delivery.Url.ToString(), attempt);
                if (attempt == MaxAttempts)
                {
                    dispatcher.Record(new WebhookAttempt(delivery.Provider, delivery.Url.ToString(), time.GetUtcNow(), attempt, null, "failed: " + ex.GetType().Name));
                    return;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200 * (1 << attempt)), time, stoppingToken).ConfigureAwait(false);
        }
    }
}
