using AiServer.Providers;
using AiServer.Providers.HuggingFace;
using Microsoft.Extensions.Logging;

namespace AiServer.Jobs.Execution;

/// <summary>
/// <c>image-caption</c> on Hugging Face: the JoyCaption Space first; when the Space fails on its side (5xx, timeout,
/// connection) the image is fetched (SSRF-checked) and captioned by the inference route's caption model instead.
/// <c>data.route</c> says which answered. Both are Hugging Face behind one breaker: while it is OPEN neither is called.
/// Safe to repeat (no provider job is created).
/// </summary>
internal sealed partial class ImageCaptionExecutor(HuggingFaceClient huggingFace, ILogger<ImageCaptionExecutor> logger) : IJobExecutor
{
    private static readonly string[] ImageTypes = ["image/png", "image/jpeg", "image/webp", "image/gif"];

    public string Kind => JobKinds.ImageCaption;

    public async Task<JobOutput> RunAsync(JobExecution job, CancellationToken cancellationToken)
    {
        var input = job.Job.Input;
        var imageUrl = JobInput.Url(input, "image_url");
        try
        {
            var caption = await huggingFace.GenerateImageCaptionAsync(
                new HuggingFaceCaptionRequest
                {
                    ImageUrl = imageUrl,
                    CaptionType = JobInput.String(input, "caption_type") ?? "Descriptive",
                    CaptionLength = JobInput.String(input, "caption_length") ?? "long",
                },
                "job-image-caption",
                cancellationToken).ConfigureAwait(false);
            return new JobOutput { Data = new() { ["caption"] = caption, ["route"] = "space" } };
        }
        catch (ProviderException ex) when (ex is not ProviderUnavailableException { BreakerRejected: true } && ex.StatusCode is null or >= 500 or 408)
        {
            LogSpaceFailed(logger, job.Job.Id, ex.StatusCode);
        }

        var scratch = job.Outputs.ScratchFile(job.Job.Id, "image");
        try
        {
            var image = await job.Downloads.DownloadAsync(imageUrl, scratch, allowedContentTypes: ImageTypes, operation: "job-image-caption-input", cancellationToken: cancellationToken).ConfigureAwait(false);
            var bytes = await File.ReadAllBytesAsync(scratch, cancellationToken).ConfigureAwait(false);
            var caption = await huggingFace.CaptionWithModelAsync(bytes, image.ContentType ?? "image/png", operation: "job-image-caption-inference", cancellationToken: cancellationToken).ConfigureAwait(false);
            return new JobOutput { Data = new() { ["caption"] = caption, ["route"] = "inference" } };
        }
        finally
        {
            File.Delete(scratch);
        }
    }

    public Task CancelAtProviderAsync(JobRecord job, CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Job {JobId}: the captioning Space failed (HTTP {Status}); captioning through the inference route instead.")]
    private static partial void LogSpaceFailed(ILogger logger, string jobId, int? status);
}
