namespace AiServer.Jobs.Store;

/// <summary>One page of a key's jobs, newest first; <see cref="NextCursor"/> continues after it (null: no more).</summary>
internal sealed record JobPage(IReadOnlyList<JobRecord> Jobs, string? NextCursor);
