namespace AiServer.Providers.Replicate;

/// <summary>Replicate's job statuses; <see cref="Unknown"/> for anything newer (tolerated as non-terminal).</summary>
internal enum ReplicateStatus
{
    Unknown,
    Starting,
    Processing,
    Succeeded,
    Failed,
    Canceled,
    Aborted,
}
