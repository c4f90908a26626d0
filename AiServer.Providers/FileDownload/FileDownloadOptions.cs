namespace AiServer.Providers.FileDownload;

/// <summary>Downloads of user- or provider-supplied URLs (section <c>Providers:FileDownload</c>).</summary>
public sealed class FileDownloadOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Providers:FileDownload";

    /// <summary>The content types accepted when <see cref="AllowedContentTypes"/> is empty.</summary>
    public static readonly IReadOnlyList<string> DefaultContentTypes = ["image/*", "video/*", "audio/*", "application/zip", "application/octet-stream"];

    /// <summary>Largest download in bytes (default 500 MiB); a larger body is stopped at the limit.</summary>
    public long MaxBytes { get; set; } = 500L * 1024 * 1024;

    /// <summary>Accepted content types (<c>type/subtype</c> or <c>type/*</c>); empty: <see cref="DefaultContentTypes"/>.</summary>
    public List<string> AllowedContentTypes { get; set; } = [];

    /// <summary>
    /// Hosts (names or IP literals as they appear in URLs) that may resolve to loopback or private addresses, e.g. the
    /// local emulator's <c>127.0.0.1</c>. Empty by default: every such address is refused.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Redirects followed (each re-checked) before giving up (default 5).</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>The whole download, body included (default 5 min).</summary>
    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>One attempt up to the response headers (default 30 s).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The headers of one URL including retries (default 60 s).</summary>
    public TimeSpan TotalRequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    internal IReadOnlyList<string> EffectiveContentTypes => AllowedContentTypes.Count > 0 ? AllowedContentTypes : DefaultContentTypes;

    internal List<string> Validate(string section)
    {
        var errors = new List<string>();
        if (MaxBytes < 1)
        {
            errors.Add($"{section}:MaxBytes: must be positive, got {MaxBytes}.");
        }

        if (MaxRedirects is < 0 or > 20)
        {
            errors.Add($"{section}:MaxRedirects: must be between 0 and 20, got {MaxRedirects}.");
        }

        if (DownloadTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{section}:DownloadTimeout: must be positive, got {DownloadTimeout}.");
        }

        if (AttemptTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{section}:AttemptTimeout: must be positive, got {AttemptTimeout}.");
        }

        if (TotalRequestTimeout < AttemptTimeout)
        {
            errors.Add($"{section}:TotalRequestTimeout: must be at least AttemptTimeout ({AttemptTimeout}), got {TotalRequestTimeout}.");
        }

        foreach (var type in AllowedContentTypes)
        {
            if (type.Split('/') is not [{ Length: > 0 }, { Length: > 0 }])
            {
                errors.Add($"{section}:AllowedContentTypes: '{type}' is not a media type such as image/png or image/*.");
            }
        }

        return errors;
    }
}
