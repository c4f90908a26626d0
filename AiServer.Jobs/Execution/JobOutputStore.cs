using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AiServer.Jobs.Execution;

/// <summary>
/// The files jobs produce, under <see cref="JobsOptions.OutputPath"/>: workers write them (through the SSRF-guarded
/// download or a provider's stream), the api serves them. One file per job, named after the job.
/// </summary>
internal sealed class JobOutputStore(IOptions<JobsOptions> options, IHostEnvironment environment)
{
    public string Root { get; } = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.OutputPath));

    /// <summary>The path of a stored file, or null when <paramref name="storedFile"/> is not a plain file name of ours.</summary>
    public string? PathOf(string? storedFile)
    {
        if (string.IsNullOrEmpty(storedFile) || storedFile != Path.GetFileName(storedFile) || storedFile.StartsWith('.'))
        {
            return null;
        }

        return Path.Combine(Root, storedFile);
    }

    /// <summary>A new path for job <paramref name="jobId"/>'s output with <paramref name="extension"/> (with the dot), creating the folder.</summary>
    public (string StoredFile, string Path) NewFile(string jobId, string extension)
    {
        Directory.CreateDirectory(Root);
        var name = jobId + extension;
        return (name, System.IO.Path.Combine(Root, name));
    }

    /// <summary>A scratch path for inputs a worker must hold (voice samples, training ZIPs); deleted by the caller.</summary>
    public string ScratchFile(string jobId, string name)
    {
        var folder = System.IO.Path.Combine(Root, ".scratch");
        Directory.CreateDirectory(folder);
        return System.IO.Path.Combine(folder, jobId + "-" + name + "-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The file extension for a content type.</summary>
    public static string ExtensionFor(string? contentType) => contentType?.Split(';')[0].Trim().ToLowerInvariant() switch
    {
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/webp" => ".webp",
        "audio/mpeg" => ".mp3",
        "audio/wav" or "audio/x-wav" or "audio/wave" => ".wav",
        "video/mp4" => ".mp4",
        "application/zip" => ".zip",
        "application/x-tar" => ".tar",
        _ => ".bin",
    };
}
