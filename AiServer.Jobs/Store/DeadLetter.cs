namespace AiServer.Jobs.Store;

/// <summary>A job that failed after its last attempt, as the dead-letter stream of its kind keeps it.</summary>
internal sealed record DeadLetter(string EntryId, string Kind, string JobId, string Error, DateTimeOffset FailedAt);
