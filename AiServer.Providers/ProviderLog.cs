using Microsoft.Extensions.Logging;

namespace AiServer.Providers;

/// <summary>Log messages of the provider clients (never a key: only provider, operation, status and ids).</summary>
internal static partial class ProviderLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "{Provider} {Operation} failed with HTTP {Status} ({ErrorCode})")]
    public static partial void ProviderError(ILogger logger, string provider, string operation, int status, string? errorCode);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "{Provider} {Operation} unavailable: {Reason}")]
    public static partial void ProviderUnavailable(ILogger logger, string provider, string operation, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "{Provider} {Operation}: job {JobId} is {Status}")]
    public static partial void JobStatus(ILogger logger, string provider, string operation, string jobId, string status);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "{Provider} {Operation}: {Reason}; waiting {Delay} before attempt {Attempt}")]
    public static partial void Backoff(ILogger logger, string provider, string operation, string reason, TimeSpan delay, int attempt);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "File download refused: {Reason}")]
    public static partial void DownloadRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "Downloaded {Bytes} bytes ({ContentType}) from {Host}")]
    public static partial void Downloaded(ILogger logger, long bytes, string? contentType, string host);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "Health probe of {Provider} failed: {Reason}")]
    public static partial void ProbeFailed(ILogger logger, string provider, string reason);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Warning, Message = "File download: removing the temporary file failed ({Error})")]
    public static partial void CleanupFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Warning, Message = "{Provider} {Operation}: cancelling job {JobId} after the run timeout failed ({ErrorCode})")]
    public static partial void CancelFailed(ILogger logger, string provider, string operation, string jobId, string errorCode);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Debug, Message = "Shared health of {Provider}: {Operation} failed ({Reason}); probing for this instance")]
    public static partial void SharedHealthUnavailable(ILogger logger, string provider, string operation, string reason);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Information, Message = "Shared health of {Provider}: the probe of {Holder} did not report within {Wait}; serving {Served}")]
    public static partial void SharedProbeLate(ILogger logger, string provider, string holder, TimeSpan wait, string served);
}
