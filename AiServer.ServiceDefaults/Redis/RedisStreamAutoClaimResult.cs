namespace AiServer.ServiceDefaults.Redis;

/// <summary>The reply of <c>XAUTOCLAIM</c>.</summary>
/// <param name="NextStartId">Where the next scan starts; <c>0-0</c> when the whole pending list was scanned.</param>
/// <param name="ClaimedEntries">The messages now owned by the claiming consumer.</param>
/// <param name="DeletedIds">Pending ids whose messages no longer exist in the stream (removed from the pending list).</param>
public sealed record RedisStreamAutoClaimResult(
    string NextStartId,
    IReadOnlyList<RedisStreamEntry> ClaimedEntries,
    IReadOnlyList<string> DeletedIds);
