namespace AiServer.ProviderEmulator.Infrastructure;

/// <summary>Source-generated log messages of the emulator; never a key or secret in them.</summary>
internal static partial class EmulatorLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Fault {FaultId} ({Kind}) applied to {Provider} {Method} {Path}")]
    public static partial void FaultApplied(ILogger logger, string faultId, string kind, string provider, string method, string path);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Webhook for {Provider} delivered to {Url}: {Status}")]
    public static partial void WebhookDelivered(ILogger logger, string provider, string url, int status);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Webhook for {Provider} to {Url} failed (attempt {Attempt})")]
    public static partial void WebhookFailed(ILogger logger, Exception exception, string provider, string url, int attempt);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Webhook for {Provider} not sent: {Url} is not a loopback URL")]
    public static partial void WebhookRefused(ILogger logger, string provider, string url);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Emulator state reset")]
    public static partial void StateReset(ILogger logger);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Fault {FaultId} added: {Kind} on {Provider} {Path}")]
    public static partial void FaultAdded(ILogger logger, string faultId, string kind, string provider, string path);
}
