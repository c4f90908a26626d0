using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AiServer.Jobs.Store;
using AiServer.Providers.FileDownload;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiServer.Jobs.Webhooks;

/// <summary>
/// Delivers client webhooks: takes due deliveries from <c>{p}{jobs}:deliveries:due</c> (a claim pushes the due time a
/// lease ahead, so a process that dies mid-delivery leaves it to another after the lease: at least once), POSTs the
/// event signed with Standard Webhooks (the same <c>webhook-id</c> on every attempt, so receivers drop repeats) through
/// the SSRF-guarded client, and retries failures on the <c>critical</c> preset (2 s, 3 s, 4.5 s, ... up to 30 s, jittered)
/// for <see cref="WebhooksOptions.DeliveryAttempts"/> attempts.
/// </summary>
internal sealed partial class ClientWebhookDeliverer(
    IConnectionMultiplexer redis,
    JobKeys keys,
    ClientWebhookSecrets secrets,
    IJobPayloadRenderer renderer,
    IHttpClientFactory clients,
    WebhookTelemetry telemetry,
    IOptionsMonitor<WebhooksOptions> options,
    TimeProvider time,
    ILogger<ClientWebhookDeliverer> logger) : BackgroundService
{
    public const string ClientName = "client-webhooks";

    private const string ClaimScript = """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
        for _, id in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], id) end
        return due
        """;

    private static readonly RetryPresetOptions Preset = RetryPresetOptions.For(RetryPreset.Critical);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = time.GetUtcNow();
                var due = (RedisValue[])(await redis.GetDatabase().ScriptEvaluateAsync(
                    ClaimScript,
                    [keys.DeliveriesDue],
                    [now.ToUnixTimeMilliseconds(), (now + Lease).ToUnixTimeMilliseconds(), 16]).ConfigureAwait(false))!;
                if (due.Length == 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                await Task.WhenAll(due.Select(id => DeliverSafelyAsync(id.ToString(), stoppingToken))).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                LogRedisFailed(logger, ex.GetType().Name);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task DeliverSafelyAsync(string deliveryId, CancellationToken stoppingToken)
    {
        try
        {
            await DeliverAsync(deliveryId, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException || (ex is OperationCanceledException && stoppingToken.IsCancellationRequested))
        {
            // Redis away or stopping: the claim's lease runs out and the delivery is taken again.
            throw;
        }
#pragma warning disable CA1031 // One broken delivery (a corrupt record) must not stop the others or the api; it is logged and given up.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogBroken(logger, ex, deliveryId);
            var db = redis.GetDatabase();
            await db.HashSetAsync(keys.Delivery(deliveryId), "state", ClientWebhookDelivery.Failed).ConfigureAwait(false);
            await db.SortedSetRemoveAsync(keys.DeliveriesDue, deliveryId).ConfigureAwait(false);
            telemetry.Delivery(ClientWebhookDelivery.Failed, 0);
        }
    }

    /// <summary>One attempt of delivery <paramref name="deliveryId"/>, and its bookkeeping.</summary>
    internal async Task DeliverAsync(string deliveryId, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var key = keys.Delivery(deliveryId);
        var fields = (await db.HashGetAllAsync(key).ConfigureAwait(false)).ToDictionary(e => e.Name.ToString(), e => e.Value, StringComparer.Ordinal);
        if (fields.Count == 0 || (string?)fields.GetValueOrDefault("state") is ClientWebhookDelivery.Delivered or ClientWebhookDelivery.Failed)
        {
            await db.SortedSetRemoveAsync(keys.DeliveriesDue, deliveryId).ConfigureAwait(false);
            return;
        }

        var settings = options.CurrentValue;
        var job = JobJson.Deserialize((string)fields["data"]!);
        var type = (string)fields["event"]!;
        var url = (string)fields["url"]!;
        var attempts = (int)fields.GetValueOrDefault("attempts", 0) + 1;
        var started = time.GetUtcNow();
        var payload = new JsonObject
        {
            ["type"] = type,
            ["timestamp"] = started,
            ["data"] = renderer.Render(job),
        };
        var body = Encoding.UTF8.GetBytes(payload.ToJsonString());
        int? status = null;
        string? error = null;
        var refused = false;
        var watch = Stopwatch.StartNew();
        try
        {
            var timestamp = started.ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.TryAddWithoutValidation("webhook-id", deliveryId);
            request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation("webhook-signature", StandardWebhookSigner.Sign(await secrets.SigningSecretsAsync(job.Owner).ConfigureAwait(false), deliveryId, timestamp, body));
            request.Headers.TryAddWithoutValidation("User-Agent", "AiServer-Webhooks/1.0");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.DeliveryTimeout);
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
        }
        catch (SsrfRefusedException ex)
        {
            error = ex.ProviderMessage;
            refused = true;
        }
        catch (HttpRequestException ex) when (ex.InnerException is SsrfRefusedException inner)
        {
            error = inner.ProviderMessage;
            refused = true;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            error = ex is OperationCanceledException ? "timed out" : ex.GetType().Name;
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var delivered = status is >= 200 and < 300;
        var outcome = delivered ? ClientWebhookDelivery.Delivered : refused || attempts >= settings.DeliveryAttempts ? ClientWebhookDelivery.Failed : ClientWebhookDelivery.Retrying;
        var attempt = new JsonObject { ["at"] = started, ["duration_ms"] = Math.Round(seconds * 1000, 1) };
        if (status is { } s)
        {
            attempt["status"] = s;
        }

        if (error is not null)
        {
            attempt["error"] = error;
        }

        var log = fields.TryGetValue("log", out var logValue) && !logValue.IsNullOrEmpty ? JsonNode.Parse((string)logValue!)!.AsArray() : [];
        log.Add(attempt);
        var updates = new List<HashEntry> { new("attempts", attempts), new("state", outcome), new("log", log.ToJsonString()) };
        var transaction = db.CreateTransaction();
        if (outcome == ClientWebhookDelivery.Retrying)
        {
            var next = time.GetUtcNow() + RetryPresets.ComputeDelay(Preset, attempts, Random.Shared.NextDouble());
            updates.Add(new("next_attempt_at", next.ToUnixTimeMilliseconds()));
            _ = transaction.SortedSetAddAsync(keys.DeliveriesDue, deliveryId, next.ToUnixTimeMilliseconds());
        }
        else
        {
            if (delivered)
            {
                updates.Add(new("delivered_at", time.GetUtcNow().ToUnixTimeMilliseconds()));
            }

            _ = transaction.HashDeleteAsync(key, "next_attempt_at");
            _ = transaction.SortedSetRemoveAsync(keys.DeliveriesDue, deliveryId);
        }

        _ = transaction.HashSetAsync(key, [.. updates]);
        await transaction.ExecuteAsync().ConfigureAwait(false);
        telemetry.Delivery(outcome, seconds);
        LogAttempt(logger, deliveryId, type, attempts, status ?? 0, outcome);
    }

    [LoggerMessage(EventId = 4401, Level = LogLevel.Information, Message = "Client webhook {DeliveryId} ({Event}) attempt {Attempt}: HTTP {Status}, {Outcome}.")]
    private static partial void LogAttempt(ILogger logger, string deliveryId, string @event, int attempt, int status, string outcome);

    [LoggerMessage(EventId = 4403, Level = LogLevel.Error, Message = "Client webhook {DeliveryId} could not be delivered (broken record); given up.")]
    private static partial void LogBroken(ILogger logger, Exception exception, string deliveryId);

    [LoggerMessage(EventId = 4402, Level = LogLevel.Warning, Message = "Client webhook deliveries paused: Redis failed ({Error}).")]
    private static partial void LogRedisFailed(ILogger logger, string error);
}
