namespace AiServer.Providers.FileDownload;

/// <summary>A finished download.</summary>
internal sealed record FileDownloadResult(string Path, long Bytes, string? ContentType, Uri FinalUri);
