using System.Text.Json.Nodes;
using AiServer.Providers;
using AiServer.Providers.Bfl;
using AiServer.Providers.Replicate;
using Microsoft.Extensions.Options;

namespace AiServer.Jobs.Execution;

/// <summary>
/// <c>model-training</c> on Replicate (a training of <see cref="JobsOptions.ReplicateTrainer"/> into the job's
/// <c>destination</c>; the weights are stored as the output) or BFL (a finetune of the ZIP at <c>images_url</c>; the
/// finetune id is the output): create, record the provider's id, poll.
/// </summary>
internal sealed class ModelTrainingExecutor(ReplicateClient replicate, BflClient bfl, IOptionsMonitor<JobsOptions> options) : IJobExecutor
{
    private static readonly string[] ZipTypes = ["application/zip", "application/x-zip-compressed", "application/octet-stream"];
    private static readonly string[] WeightTypes = ["application/x-tar", "application/zip", "application/octet-stream", "application/gzip"];

    public string Kind => JobKinds.ModelTraining;

    public Task<JobOutput> RunAsync(JobExecution job, CancellationToken cancellationToken) =>
        job.Job.Provider == ProviderNames.Bfl ? RunOnBflAsync(job, cancellationToken) : RunOnReplicateAsync(job, cancellationToken);

    public async Task CancelAtProviderAsync(JobRecord job, CancellationToken cancellationToken)
    {
        if (job.Provider == ProviderNames.Replicate && job.ProviderJobId is { } id)
        {
            await replicate.CancelTrainingAsync(id, "job-cancel-training", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<JobOutput> RunOnReplicateAsync(JobExecution job, CancellationToken cancellationToken)
    {
        var input = job.Job.Input;
        if (job.Job.ProviderJobId is null)
        {
            var trainer = options.CurrentValue.ReplicateTrainer;
            var model = trainer[..trainer.IndexOf(':', StringComparison.Ordinal)];
            var version = trainer[(trainer.IndexOf(':', StringComparison.Ordinal) + 1)..];
            var trainingInput = new JsonObject
            {
                ["input_images"] = JobInput.RequiredString(input, "images_url"),
                ["trigger_word"] = JobInput.String(input, "trigger_word") ?? "TOK",
            };
            if (JobInput.Int(input, "steps") is { } steps)
            {
                trainingInput["steps"] = steps;
            }

            var created = await replicate.CreateTrainingAsync(model, version, JobInput.RequiredString(input, "destination"), trainingInput, job.WebhookUrl(ProviderNames.Replicate), "job-model-training", cancellationToken).ConfigureAwait(false);
            await job.RecordProviderJobAsync(created.Id).ConfigureAwait(false);
        }

        var id = job.Job.ProviderJobId!;
        var done = await job.PollAsync(ct => replicate.GetTrainingAsync(id, "job-model-training-status", ct), t => t.IsTerminal, cancellationToken, ProviderPushes.Replicate).ConfigureAwait(false);
        if (done.State != ReplicateStatus.Succeeded)
        {
            throw new ProviderJobFailedException(ProviderNames.Replicate, "job-model-training", id, done.Status, null, done.ErrorText.Length > 0 ? done.ErrorText : $"The training ended {done.Status}.");
        }

        var data = new JsonObject { ["training_id"] = id };
        if (done.Output is { ValueKind: System.Text.Json.JsonValueKind.Object } output && output.TryGetProperty("version", out var version2))
        {
            data["version"] = version2.ToString();
        }

        return ProviderOutputs.FirstUrl(done.Output, "weights") is { } weights
            ? await job.StoreFromUrlAsync(weights, WeightTypes, "job-model-weights", cancellationToken, data).ConfigureAwait(false)
            : new JobOutput { Data = data };
    }

    private async Task<JobOutput> RunOnBflAsync(JobExecution job, CancellationToken cancellationToken)
    {
        var input = job.Job.Input;
        if (job.Job.ProviderJobId is null)
        {
            var scratch = job.Outputs.ScratchFile(job.Job.Id, "training.zip");
            byte[] zip;
            try
            {
                await job.Downloads.DownloadAsync(JobInput.Url(input, "images_url"), scratch, allowedContentTypes: ZipTypes, operation: "job-training-images", cancellationToken: cancellationToken).ConfigureAwait(false);
                zip = await File.ReadAllBytesAsync(scratch, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                File.Delete(scratch);
            }

            var created = await bfl.CreateFinetuneAsync(
                new BflFinetuneRequest
                {
                    Zip = zip,
                    Comment = job.Job.Id,
                    Mode = JobInput.String(input, "mode") ?? "character",
                    TriggerWord = JobInput.String(input, "trigger_word") ?? "TOK",
                    Iterations = JobInput.Int(input, "steps") ?? 300,
                },
                "job-model-training",
                cancellationToken).ConfigureAwait(false);
            await job.RecordProviderJobAsync(created.FinetuneId).ConfigureAwait(false);
        }

        var id = job.Job.ProviderJobId!;
        var done = await job.PollAsync(ct => bfl.GetResultAsync(id, "job-model-training-status", ct), r => r.IsTerminal, cancellationToken).ConfigureAwait(false);
        if (done.State != BflStatus.Ready)
        {
            throw new ProviderJobFailedException(ProviderNames.Bfl, "job-model-training", id, done.Status, null, $"The finetune ended {done.Status}.");
        }

        return new JobOutput { Data = new() { ["finetune_id"] = id } };
    }
}
