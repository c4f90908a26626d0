using AiServer.ProviderEmulator.Media;
using AiServer.ProviderEmulator.Options;
using Microsoft.Extensions.Options;

namespace AiServer.ProviderEmulator.Apis;

/// <summary>
/// Plain file hosting under <c>/files</c>: generated job outputs (<c>/files/outputs/{job}/{name}.{ext}</c>, content by
/// extension) and sized blobs for download tests (<c>/files/blob/{name}?size=N&amp;contentType=T</c>, byte i = i mod 251).
/// </summary>
public static class FilesApi
{
    public static IEndpointRouteBuilder MapFilesApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var files = app.MapGroup("/files").WithTags("Files");
        files.MapMethods("/outputs/{jobId}/{fileName}", [HttpMethods.Get, HttpMethods.Head], GetOutput).WithName("FilesGetOutput").WithSummary("A generated job output");
        files.MapMethods("/uploads/{uploadId}/{fileName}", [HttpMethods.Get, HttpMethods.Head], GetUpload).WithName("FilesGetUpload").WithSummary("A stand-in for an uploaded input");
        files.MapMethods("/blob/{fileName}", [HttpMethods.Get, HttpMethods.Head], GetBlob).WithName("FilesGetBlob").WithSummary("Deterministic bytes of a requested size and type");
        return app;
    }

    internal static IResult GetOutput(string jobId, string fileName) =>
        TinyMedia.ForFileName(fileName) is var (bytes, contentType)
            ? TypedResults.Bytes(bytes, contentType, fileDownloadName: null, enableRangeProcessing: true)
            : TypedResults.NotFound();

    /// <summary>Inputs uploaded as multipart (Sync) are not kept; their URLs serve a generated file of the same type.</summary>
    internal static IResult GetUpload(string uploadId, string fileName) => GetOutput(uploadId, fileName);

    internal static IResult GetBlob(string fileName, long? size, string? contentType, IOptions<EmulatorOptions> options)
    {
        var length = size ?? 1024;
        if (length < 0 || length > options.Value.MaxFileSize)
        {
            return TypedResults.Problem(
                $"size must be between 0 and Emulator:MaxFileSize ({options.Value.MaxFileSize}).",
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid size");
        }

        if (contentType is not null && !System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out _))
        {
            return TypedResults.Problem("contentType must be a media type such as video/mp4.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid contentType");
        }

        return TypedResults.Stream(new PatternStream(length), contentType ?? "application/octet-stream", enableRangeProcessing: true);
    }
}
