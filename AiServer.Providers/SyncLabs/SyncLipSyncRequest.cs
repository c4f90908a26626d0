namespace AiServer.Providers.SyncLabs;

/// <summary>A lip-sync generation: one video and one audio track by URL.</summary>
internal sealed record SyncLipSyncRequest
{
    public required Uri VideoUrl { get; init; }

    public required Uri AudioUrl { get; init; }

    /// <summary>Null: <see cref="SyncLabsOptions.DefaultModel"/>.</summary>
    public string? Model { get; init; }

    /// <summary><c>bounce</c>, <c>loop</c>, <c>cut_off</c>, <c>silence</c> or <c>remap</c>.</summary>
    public string? SyncMode { get; init; }

    /// <summary>Where Sync posts the finished generation (HTTPS in production).</summary>
    public Uri? WebhookUrl { get; init; }

    public string? OutputFileName { get; init; }

    /// <summary>Replays of the same key return the same generation; null: a new key per call (stable across its retries).</summary>
    public string? IdempotencyKey { get; init; }
}
