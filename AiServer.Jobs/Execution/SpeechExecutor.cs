using AiServer.Providers.ElevenLabs;

namespace AiServer.Jobs.Execution;

/// <summary><c>speech</c> on ElevenLabs: text to audio, streamed into the job's output file. Safe to repeat (no provider job is created).</summary>
internal sealed class SpeechExecutor(ElevenLabsClient elevenLabs) : IJobExecutor
{
    public string Kind => JobKinds.Speech;

    public async Task<JobOutput> RunAsync(JobExecution job, CancellationToken cancellationToken)
    {
        var input = job.Job.Input;
        var path = job.Outputs.ScratchFile(job.Job.Id, "speech");
        var result = await elevenLabs.GenerateToFileAsync(
            new ElevenLabsSpeechRequest
            {
                VoiceId = JobInput.RequiredString(input, "voice_id"),
                Text = JobInput.RequiredString(input, "text"),
                ModelId = JobInput.String(input, "model_id"),
                OutputFormat = JobInput.String(input, "output_format"),
                LanguageCode = JobInput.String(input, "language_code"),
                VoiceSettings = JobInput.Object(input, "voice_settings")?.DeepClone().AsObject(),
            },
            path,
            "job-speech",
            cancellationToken).ConfigureAwait(false);
        var contentType = result.ContentType ?? "audio/mpeg";
        var (finalName, finalPath) = job.Outputs.NewFile(job.Job.Id, JobOutputStore.ExtensionFor(contentType));
        File.Move(path, finalPath, overwrite: true);
        return new JobOutput
        {
            Url = "/v1/jobs/" + job.Job.Id + "/output",
            ContentType = contentType,
            Size = result.Bytes,
            StoredFile = finalName,
            Data = new() { ["output_format"] = result.OutputFormat, ["character_cost"] = result.CharacterCost },
        };
    }

    public Task CancelAtProviderAsync(JobRecord job, CancellationToken cancellationToken) => Task.CompletedTask;
}
