using AiServer.Providers.HuggingFace;

namespace AiServer.Jobs.Execution;

/// <summary><c>image-caption</c> on Hugging Face (the JoyCaption Space): the caption is the output's data. Safe to repeat.</summary>
internal sealed class ImageCaptionExecutor(HuggingFaceClient huggingFace) : IJobExecutor
{
    public string Kind => JobKinds.ImageCaption;

    public async Task<JobOutput> RunAsync(JobExecution job, CancellationToken cancellationToken)
    {
        var input = job.Job.Input;
        var caption = await huggingFace.GenerateImageCaptionAsync(
            new HuggingFaceCaptionRequest
            {
                ImageUrl = JobInput.Url(input, "image_url"),
                CaptionType = JobInput.String(input, "caption_type") ?? "Descriptive",
                CaptionLength = JobInput.String(input, "caption_length") ?? "long",
            },
            "job-image-caption",
            cancellationToken).ConfigureAwait(false);
        return new JobOutput { Data = new() { ["caption"] = caption } };
    }

    public Task CancelAtProviderAsync(JobRecord job, CancellationToken cancellationToken) => Task.CompletedTask;
}
