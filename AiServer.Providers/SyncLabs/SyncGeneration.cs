using System.Text.Json.Serialization;

namespace AiServer.Providers.SyncLabs;

/// <summary>A Sync generation (<c>GET /v2/generate/{id}</c>, webhook body).</summary>
internal sealed record SyncGeneration
{
    public required string Id { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>As Sync spells it (<c>PENDING</c>, ...); see <see cref="State"/>.</summary>
    public string Status { get; init; } = string.Empty;

    public string? Model { get; init; }

    public string? OutputUrl { get; init; }

    public double? OutputDuration { get; init; }

    public string? WebhookUrl { get; init; }

    public string? Error { get; init; }

    [JsonPropertyName("error_code")]
    public string? ErrorCode { get; init; }

    public SyncGenerationStatus State => Status switch
    {
        "PENDING" => SyncGenerationStatus.Pending,
        "PROCESSING" => SyncGenerationStatus.Processing,
        "COMPLETED" => SyncGenerationStatus.Completed,
        "FAILED" => SyncGenerationStatus.Failed,
        "REJECTED" => SyncGenerationStatus.Rejected,
        _ => SyncGenerationStatus.Unknown,
    };

    public bool IsTerminal => State is SyncGenerationStatus.Completed or SyncGenerationStatus.Failed or SyncGenerationStatus.Rejected;
}
