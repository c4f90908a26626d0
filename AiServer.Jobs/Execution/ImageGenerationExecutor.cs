using System.Text.Json.Nodes;
using AiServer.Providers;
using AiServer.Providers.Bfl;
using AiServer.Providers.Replicate;
using Microsoft.Extensions.Options;

namespace AiServer.Jobs.Execution;

/// <summary>
/// <c>image-generation</c> on Replicate (a prediction of <see cref="JobsOptions.ReplicateImageModel"/> or the job's
/// <c>model</c>) or BFL (a FLUX task on <see cref="JobsOptions.BflImageEndpoint"/>): create, record the provider's id,
/// poll, store the image.
/// </summary>
internal sealed class ImageGenerationExecutor(ReplicateClient replicate, BflClient bfl, IOptionsMonitor<JobsOptions> options, IOptionsMonitor<BflOptions> bflOptions) : IJobExecutor
{
    private static readonly string[] ImageTypes = ["image/png", "image/jpeg", "image/webp", "application/octet-stream"];
    private static readonly string[] Parameters = ["width", "height", "seed", "output_format", "aspect_ratio"];

    public string Kind => JobKinds.ImageGeneration;

    public Task<JobOutput> RunAsync(JobExecution job, CancellationToken cancellationToken) =>
        job.Job.Provider == ProviderNames.Bfl ? RunOnBflAsync(job, cancellationToken) : RunOnReplicateAsync(job, cancellationToken);

    public async Task CancelAtProviderAsync(JobRecord job, CancellationToken cancellationToken)
    {
        if (job.Provider == ProviderNames.Replicate && job.ProviderJobId is { } id)
        {
            await replicate.CancelPredictionAsync(id, "job-cancel-prediction", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The provider-neutral input mapped to either API (prompt plus the shared parameters).</summary>
    internal static JsonObject MapInput(JsonObject input)
    {
        var mapped = new JsonObject { ["prompt"] = JobInput.RequiredString(input, "prompt") };
        foreach (var name in Parameters)
        {
            if (input[name] is { } value)
            {
                mapped[name] = value.DeepClone();
            }
        }

        return mapped;
    }

    private async Task<JobOutput> RunOnReplicateAsync(JobExecution job, CancellationToken cancellationToken)
    {
        if (job.Job.ProviderJobId is null)
        {
            // A job that moved here from BFL may carry a BFL endpoint as its model: only a Replicate reference is used.
            var model = JobInput.String(job.Job.Input, "model") is { } named && named.Contains('/', StringComparison.Ordinal) ? named : options.CurrentValue.ReplicateImageModel;
            var created = await replicate.CreatePredictionAsync(model, MapInput(job.Job.Input), job.WebhookUrl(ProviderNames.Replicate), "job-image-generation", cancellationToken).ConfigureAwait(false);
            await job.RecordProviderJobAsync(created.Id).ConfigureAwait(false);
        }

        var id = job.Job.ProviderJobId!;
        var done = await job.PollAsync(ct => replicate.GetPredictionAsync(id, "job-image-generation-status", ct), p => p.IsTerminal, cancellationToken, ProviderPushes.Replicate).ConfigureAwait(false);
        if (done.State != ReplicateStatus.Succeeded || ProviderOutputs.FirstUrl(done.Output) is not { } url)
        {
            throw new ProviderJobFailedException(ProviderNames.Replicate, "job-image-generation", id, done.Status, null, done.ErrorText.Length > 0 ? done.ErrorText : $"The prediction ended {done.Status} without an image.");
        }

        return await job.StoreFromUrlAsync(url, ImageTypes, "job-image-output", cancellationToken, new() { ["prediction_id"] = id }).ConfigureAwait(false);
    }

    private async Task<JobOutput> RunOnBflAsync(JobExecution job, CancellationToken cancellationToken)
    {
        if (job.Job.ProviderJobId is null)
        {
            var endpoint = JobInput.String(job.Job.Input, "model") is { } model && model.StartsWith("flux-", StringComparison.Ordinal) ? model : options.CurrentValue.BflImageEndpoint;
            var request = MapInput(job.Job.Input);
            if (job.WebhookUrl(ProviderNames.Bfl) is { } webhook && bflOptions.CurrentValue.WebhookSecret is { Length: > 0 } secret)
            {
                // BFL signs its webhook with the secret we send (it has no account-wide one).
                request["webhook_url"] = webhook.AbsoluteUri;
                request["webhook_secret"] = secret;
            }

            var created = await bfl.CreateGenerationAsync(endpoint, request, "job-image-generation", cancellationToken).ConfigureAwait(false);
            await job.RecordProviderJobAsync(created.Id).ConfigureAwait(false);
        }

        var id = job.Job.ProviderJobId!;
        var done = await job.PollAsync(ct => bfl.GetResultAsync(id, "job-image-generation-status", ct), r => r.IsTerminal, cancellationToken, ProviderPushes.Bfl).ConfigureAwait(false);
        if (done.State != BflStatus.Ready || ProviderOutputs.FirstUrl(done.Result, "sample", "url") is not { } url)
        {
            throw new ProviderJobFailedException(ProviderNames.Bfl, "job-image-generation", id, done.Status, null, $"The task ended {done.Status} without an image.");
        }

        return await job.StoreFromUrlAsync(url, ImageTypes, "job-image-output", cancellationToken, new() { ["task_id"] = id }).ConfigureAwait(false);
    }
}
