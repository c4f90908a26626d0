using AiServer.Providers.ElevenLabs;

namespace AiServer.Jobs.Execution;

/// <summary>
/// <c>voice-clone</c> on ElevenLabs: fetches the samples (SSRF-checked), adds the voice labelled with the job id, and
/// returns its voice id. The add has no id to record before it answers, so the job is marked as submitting first; a
/// reclaimed job so marked looks for a voice labelled with its id before adding one again.
/// </summary>
internal sealed class VoiceCloneExecutor(ElevenLabsClient elevenLabs) : IJobExecutor
{
    public const string JobLabel = "aiserver_job";

    private static readonly string[] AudioTypes = ["audio/mpeg", "audio/mp3", "audio/wav", "audio/x-wav", "audio/wave", "audio/ogg", "audio/webm", "audio/mp4", "audio/x-m4a", "audio/flac", "application/octet-stream"];

    public string Kind => JobKinds.VoiceClone;

    public async Task<JobOutput> RunAsync(JobExecution job, CancellationToken cancellationToken)
    {
        var input = job.Job.Input;
        if (job.Job.SubmittingAt is not null)
        {
            var voices = await elevenLabs.GetVoicesAsync("job-voice-clone-lookup", cancellationToken).ConfigureAwait(false);
            if (voices.FirstOrDefault(v => v.Labels is { } labels && labels.TryGetValue(JobLabel, out var owner) && owner == job.Job.Id) is { } existing)
            {
                return Output(existing.VoiceId, requiresVerification: false);
            }
        }

        var samples = new List<ElevenLabsVoiceSample>();
        var index = 0;
        foreach (var sample in input["samples"]!.AsArray())
        {
            var scratch = job.Outputs.ScratchFile(job.Job.Id, "sample" + index++);
            try
            {
                var fetched = await job.Downloads.DownloadAsync(new Uri(sample!.GetValue<string>()), scratch, allowedContentTypes: AudioTypes, operation: "job-voice-clone-sample", cancellationToken: cancellationToken).ConfigureAwait(false);
                samples.Add(new ElevenLabsVoiceSample("sample" + index + JobOutputStore.ExtensionFor(fetched.ContentType), await File.ReadAllBytesAsync(scratch, cancellationToken).ConfigureAwait(false), fetched.ContentType ?? "audio/mpeg"));
            }
            finally
            {
                File.Delete(scratch);
            }
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (JobInput.Object(input, "labels") is { } given)
        {
            foreach (var (key, value) in given)
            {
                labels[key] = value!.GetValue<string>();
            }
        }

        labels[JobLabel] = job.Job.Id;
        await job.MarkSubmittingAsync().ConfigureAwait(false);
        var result = await elevenLabs.CloneAsync(
            JobInput.RequiredString(input, "name"),
            samples,
            JobInput.String(input, "description"),
            labels,
            JobInput.Bool(input, "remove_background_noise") ?? false,
            "job-voice-clone",
            cancellationToken).ConfigureAwait(false);
        return Output(result.VoiceId, result.RequiresVerification);
    }

    public Task CancelAtProviderAsync(JobRecord job, CancellationToken cancellationToken) => Task.CompletedTask;

    private static JobOutput Output(string voiceId, bool requiresVerification) =>
        new() { Data = new() { ["voice_id"] = voiceId, ["requires_verification"] = requiresVerification } };
}
