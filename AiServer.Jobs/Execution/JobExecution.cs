using AiServer.Jobs.Store;
using AiServer.Jobs.Webhooks;
using AiServer.Providers.FileDownload;

namespace AiServer.Jobs.Execution;

/// <summary>
/// One job while a worker runs it: the record as last read, and what executors need to do their part safely —
/// record the provider's job id, mark a submission that has no id, poll with cancellation, store outputs.
/// </summary>
internal sealed class JobExecution(JobRecord job, JobStore store, JobOutputStore outputs, FileDownloadClient downloads, JobsOptions options, TimeProvider time, ProviderPush? pushes = null, JobNotifier? notifier = null)
{
    public JobRecord Job { get; private set; } = job;

    public JobOutputStore Outputs => outputs;

    public FileDownloadClient Downloads => downloads;

    /// <summary>Records the provider's id for the job (before anything else can fail), so it is never submitted again.</summary>
    public async Task RecordProviderJobAsync(string providerJobId)
    {
        var updated = await store.UpdateAsync(Job.Id, j => j with { ProviderJobId = providerJobId, SubmittingAt = null }).ConfigureAwait(false);
        Refresh(updated);
    }

    /// <summary>Marks that a submission without a provider id is about to be sent (see <see cref="JobRecord.SubmittingAt"/>).</summary>
    public async Task MarkSubmittingAsync()
    {
        var now = time.GetUtcNow();
        var updated = await store.UpdateAsync(Job.Id, j => j with { SubmittingAt = now }).ConfigureAwait(false);
        Refresh(updated);
    }

    /// <summary>Throws <see cref="JobCanceledException"/> when the owner canceled the job meanwhile.</summary>
    public async Task ThrowIfCanceledAsync()
    {
        var current = await store.GetAsync(Job.Id).ConfigureAwait(false);
        Refresh(current);
    }

    /// <summary>Our webhook URL for this job on <paramref name="provider"/> (null: <c>Webhooks:PublicBaseUrl</c> unset, polling only).</summary>
    public Uri? WebhookUrl(string provider) => pushes?.UrlFor(provider, Job.Id);

    /// <summary>
    /// Reads the provider job with <paramref name="get"/> every <see cref="JobsOptions.PollInterval"/> until
    /// <paramref name="isTerminal"/>, stopping when the job is canceled or runs past <see cref="JobsOptions.MaxRunTime"/>.
    /// With <paramref name="fromPush"/>, what verified provider webhooks reported comes first: a terminal state there
    /// ends the wait without another poll, and once webhooks arrive polling slows to <see cref="WebhooksOptions.FallbackPollInterval"/>
    /// (a webhook wakes the wait at once); so they do while the provider's webhooks arrive for other jobs.
    /// </summary>
    public async Task<T> PollAsync<T>(Func<CancellationToken, Task<T>> get, Func<T, bool> isTerminal, CancellationToken cancellationToken, Func<string, T?>? fromPush = null)
    {
        var deadline = (Job.StartedAt ?? time.GetUtcNow()) + options.MaxRunTime;
        var webhooksArrive = false;
        while (true)
        {
            if (fromPush is not null && pushes is not null && Job.ProviderJobId is { } providerJobId
                && await pushes.GetAsync(Job.Id, providerJobId).ConfigureAwait(false) is { } body)
            {
                webhooksArrive = true;
                if (fromPush(body) is { } pushed && isTerminal(pushed))
                {
                    return pushed;
                }
            }

            var state = await get(cancellationToken).ConfigureAwait(false);
            if (isTerminal(state))
            {
                return state;
            }

            await ThrowIfCanceledAsync().ConfigureAwait(false);
            if (time.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"The provider job ran longer than Jobs:MaxRunTime ({options.MaxRunTime}).");
            }

            if (fromPush is not null && notifier is not null && pushes is not null && (webhooksArrive || (WebhookUrl(Job.Provider) is not null && await pushes.IsFlowingAsync(Job.Provider).ConfigureAwait(false))))
            {
                var interval = pushes.Options.FallbackPollInterval > options.PollInterval ? pushes.Options.FallbackPollInterval : options.PollInterval;
                await notifier.WaitForJobAsync(Job.Id, interval, cancellationToken).ConfigureAwait(false);
            }
            else if (notifier is not null && pushes?.Options.PublicBaseUrl is not null)
            {
                await notifier.WaitForJobAsync(Job.Id, options.PollInterval, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await Task.Delay(options.PollInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Fetches <paramref name="url"/> (SSRF-checked, size-limited) into the job's output file.</summary>
    public async Task<JobOutput> StoreFromUrlAsync(Uri url, IReadOnlyList<string>? contentTypes, string operation, CancellationToken cancellationToken, System.Text.Json.Nodes.JsonObject? data = null)
    {
        var (_, scratch) = outputs.NewFile(Job.Id, ".download");
        var result = await downloads.DownloadAsync(url, scratch, allowedContentTypes: contentTypes, operation: operation, cancellationToken: cancellationToken).ConfigureAwait(false);
        var (stored, path) = outputs.NewFile(Job.Id, JobOutputStore.ExtensionFor(result.ContentType));
        File.Move(scratch, path, overwrite: true);
        return new JobOutput
        {
            Url = "/v1/jobs/" + Job.Id + "/output",
            ContentType = result.ContentType ?? "application/octet-stream",
            Size = result.Bytes,
            StoredFile = stored,
            Data = data,
        };
    }

    private void Refresh(JobRecord? current)
    {
        if (current is null)
        {
            throw new JobCanceledException("The job record is gone (expired or deleted).");
        }

        Job = current;
        if (current.Status == JobStatus.Canceled)
        {
            throw new JobCanceledException();
        }
    }
}
