using AiServer.Providers;
using AiServer.Providers.SyncLabs;

namespace AiServer.Jobs.Execution;

/// <summary>
/// <c>lip-sync</c> on Sync Labs: creates the generation with the job id as its idempotency key (a repeated create
/// returns the same generation, which closes the submit-then-crash window), records its id, polls, stores the video.
/// </summary>
internal sealed class LipSyncExecutor(SyncLabsClient sync) : IJobExecutor
{
    private static readonly string[] VideoTypes = ["video/mp4", "video/quicktime", "video/webm", "application/octet-stream"];

    public string Kind => JobKinds.LipSync;

    public async Task<JobOutput> RunAsync(JobExecution job, CancellationToken cancellationToken)
    {
        var input = job.Job.Input;
        if (job.Job.ProviderJobId is null)
        {
            var created = await sync.GenerateLipSyncAsync(
                new SyncLipSyncRequest
                {
                    VideoUrl = JobInput.Url(input, "video_url"),
                    AudioUrl = JobInput.Url(input, "audio_url"),
                    Model = JobInput.String(input, "model"),
                    SyncMode = JobInput.String(input, "sync_mode"),
                    IdempotencyKey = job.Job.Id,
                    WebhookUrl = job.WebhookUrl(ProviderNames.SyncLabs),
                },
                "job-lip-sync",
                cancellationToken).ConfigureAwait(false);
            await job.RecordProviderJobAsync(created.Id).ConfigureAwait(false);
        }

        var id = job.Job.ProviderJobId!;
        var done = await job.PollAsync(ct => sync.GetGenerationAsync(id, "job-lip-sync-status", ct), g => g.IsTerminal, cancellationToken, ProviderPushes.SyncLabs).ConfigureAwait(false);
        if (done.State != SyncGenerationStatus.Completed || done.OutputUrl is not { Length: > 0 } url)
        {
            throw new ProviderJobFailedException(ProviderNames.SyncLabs, "job-lip-sync", id, done.Status, done.ErrorCode, done.Error ?? $"The generation ended {done.Status}.");
        }

        return await job.StoreFromUrlAsync(new Uri(url), VideoTypes, "job-lip-sync-output", cancellationToken,
            new() { ["generation_id"] = id, ["duration"] = done.OutputDuration }).ConfigureAwait(false);
    }

    // Sync Labs has no cancel endpoint: the generation runs out and its result is ignored.
    public Task CancelAtProviderAsync(JobRecord job, CancellationToken cancellationToken) => Task.CompletedTask;
}
