namespace AiServer.Api.Apis;

/// <summary>A page of the caller's jobs, newest first; pass <see cref="NextCursor"/> as <c>cursor</c> for the next page.</summary>
public sealed record JobListView(IReadOnlyList<JobView> Data, string? NextCursor);
