namespace AiServer.Providers.SyncLabs;

/// <summary>Sync's generation statuses; <see cref="Unknown"/> for anything newer (treated as non-terminal).</summary>
internal enum SyncGenerationStatus
{
    Unknown,
    Pending,
    Processing,
    Completed,
    Failed,
    Rejected,
}
