using System.Security.Cryptography;
using System.Text;
using AiServer.Jobs.Store;
using AiServer.Providers;
using AiServer.Providers.Bfl;
using AiServer.Providers.Replicate;
using AiServer.Providers.SyncLabs;
using AiServer.Providers.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiServer.Jobs.Webhooks;

/// <summary>
/// Handles <c>POST /webhooks/{provider}?job={id}</c>: verifies the signature over the raw body (Replicate: Standard
/// Webhooks; Sync Labs: <c>Sync-Signature</c>; BFL: the HMAC header with the secret we gave it) within the replay window,
/// drops duplicates (by <c>webhook-id</c>, or by a hash of the signed content where the provider sends no id), checks
/// that the job exists and is this provider's job, and records the furthest state (<see cref="ProviderPush"/>). A job
/// whose provider id was never recorded (a worker died right after the create) gets it now, so it resumes, not resubmits.
/// </summary>
internal sealed partial class ProviderWebhookReceiver(
    IConnectionMultiplexer redis,
    JobKeys keys,
    JobStore store,
    ProviderPush pushes,
    WebhookTelemetry telemetry,
    IOptionsMonitor<ReplicateOptions> replicate,
    IOptionsMonitor<SyncLabsOptions> sync,
    IOptionsMonitor<BflOptions> bfl,
    TimeProvider time,
    ILogger<ProviderWebhookReceiver> logger)
{
    public static readonly string[] Providers = [ProviderNames.Replicate, ProviderNames.SyncLabs, ProviderNames.Bfl];

    public async Task<InboundWebhookOutcome> ReceiveAsync(string provider, string? jobId, Func<string, string?> header, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(body);
        var outcome = await ReceiveCoreAsync(provider, jobId, header, body).ConfigureAwait(false);
        telemetry.Inbound(provider, outcome);
        return outcome;
    }

    private async Task<InboundWebhookOutcome> ReceiveCoreAsync(string provider, string? jobId, Func<string, string?> header, byte[] body)
    {
        var (verified, dedupeId) = Verify(provider, header, body);
        if (!verified)
        {
            LogUnverified(logger, provider);
            return InboundWebhookOutcome.Unverified;
        }

        var db = redis.GetDatabase();
        await pushes.NoteFlowingAsync(provider).ConfigureAwait(false);
        var seenKey = keys.WebhookSeen(provider, dedupeId);
        if (await db.KeyExistsAsync(seenKey).ConfigureAwait(false))
        {
            LogDuplicate(logger, provider, jobId ?? "(none)");
            return InboundWebhookOutcome.Ignored;
        }

        var text = Encoding.UTF8.GetString(body);
        var (providerJobId, rank) = ProviderPush.Parse(provider, text);
        var job = string.IsNullOrEmpty(jobId) ? null : await store.GetAsync(jobId).ConfigureAwait(false);
        if (job is null || providerJobId is null || job.Provider != provider || (job.ProviderJobId is { } known && known != providerJobId))
        {
            LogUnknownJob(logger, provider, jobId ?? "(none)", providerJobId ?? "(unreadable)");
            return InboundWebhookOutcome.UnknownJob;
        }

        var outcome = InboundWebhookOutcome.Ignored;
        if (!job.IsTerminal)
        {
            if (job.ProviderJobId is null)
            {
                await store.UpdateAsync(job.Id, j => j.ProviderJobId is null ? j with { ProviderJobId = providerJobId, SubmittingAt = null } : null).ConfigureAwait(false);
                LogAdopted(logger, job.Id, provider, providerJobId);
            }

            if (await pushes.StoreAsync(job.Id, provider, providerJobId, rank, text).ConfigureAwait(false))
            {
                // Wakes the worker polling this job (JobNotifier signals on any message naming the job).
                await db.PublishAsync(keys.Changes, job.Kind + "|" + job.Id + "|webhook").ConfigureAwait(false);
                outcome = InboundWebhookOutcome.Accepted;
            }
        }

        // Remembered once handled (a failure before this point lets the provider's retry through).
        await db.StringSetAsync(seenKey, "1", pushes.Options.ReplayWindow * 2 + TimeSpan.FromHours(1)).ConfigureAwait(false);
        if (outcome == InboundWebhookOutcome.Ignored)
        {
            LogStale(logger, provider, job.Id);
        }

        return outcome;
    }

    private (bool Verified, string DedupeId) Verify(string provider, Func<string, string?> header, byte[] body)
    {
        var window = pushes.Options.ReplayWindow;
        switch (provider)
        {
            case ProviderNames.Replicate:
                var id = header("webhook-id");
                var ok = replicate.CurrentValue.WebhookSecret is { Length: > 0 } secret
                    && WebhookVerifier.VerifyStandardWebhook(secret, id, header("webhook-timestamp"), body, header("webhook-signature"), time, window);
                return (ok, ok ? Sanitize(id!) : string.Empty);
            case ProviderNames.SyncLabs:
                var signature = header("Sync-Signature");
                var syncOk = sync.CurrentValue.WebhookSecret is { Length: > 0 } syncSecret && WebhookVerifier.VerifySync(syncSecret, body, signature, time, window);
                return (syncOk, syncOk ? Hash(Encoding.UTF8.GetBytes(signature!)) : string.Empty);
            case ProviderNames.Bfl:
                var options = bfl.CurrentValue;
                var bflOk = options.WebhookSecret is { Length: > 0 } bflSecret && WebhookVerifier.VerifyBfl(bflSecret, body, header(options.WebhookSignatureHeader));

                // BFL signs no timestamp: a replayed body is caught by de-duplication and by the no-backwards rule.
                return (bflOk, bflOk ? Hash(body) : string.Empty);
            default:
                return (false, string.Empty);
        }
    }

    private static string Hash(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private static string Sanitize(string id) => id.Length <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') ? id : Hash(Encoding.UTF8.GetBytes(id));

    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "Provider webhook from {Provider} refused: signature missing or wrong, or outside the replay window.")]
    private static partial void LogUnverified(ILogger logger, string provider);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Information, Message = "Provider webhook from {Provider} for job {JobId} ignored: already received.")]
    private static partial void LogDuplicate(ILogger logger, string provider, string jobId);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Warning, Message = "Provider webhook from {Provider} for unknown or foreign job {JobId} (provider id {ProviderJobId}).")]
    private static partial void LogUnknownJob(ILogger logger, string provider, string jobId, string providerJobId);

    [LoggerMessage(EventId = 4304, Level = LogLevel.Information, Message = "Provider webhook from {Provider} for job {JobId} ignored: the job finished, or a further state is recorded.")]
    private static partial void LogStale(ILogger logger, string provider, string jobId);

    [LoggerMessage(EventId = 4305, Level = LogLevel.Warning, Message = "Job {JobId}: {Provider} job {ProviderJobId} learnt from a webhook (the worker had not recorded it); the job resumes with it.")]
    private static partial void LogAdopted(ILogger logger, string jobId, string provider, string providerJobId);
}
