using System.Text.Json;

namespace AiServer.Providers.Replicate;

/// <summary>A Replicate prediction or training object (the same shape for both).</summary>
internal sealed record ReplicateJob
{
    public required string Id { get; init; }

    public string? Model { get; init; }

    public string? Version { get; init; }

    /// <summary>The status as Replicate spells it; see <see cref="State"/>.</summary>
    public string Status { get; init; } = string.Empty;

    public JsonElement? Input { get; init; }

    public JsonElement? Output { get; init; }

    /// <summary>The model's error (usually a string).</summary>
    public JsonElement? Error { get; init; }

    public string? Logs { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public Dictionary<string, string?>? Urls { get; init; }

    public Dictionary<string, JsonElement>? Metrics { get; init; }

    public ReplicateStatus State => Status switch
    {
        "starting" => ReplicateStatus.Starting,
        "processing" => ReplicateStatus.Processing,
        "succeeded" => ReplicateStatus.Succeeded,
        "failed" => ReplicateStatus.Failed,
        "canceled" => ReplicateStatus.Canceled,
        "aborted" => ReplicateStatus.Aborted,
        _ => ReplicateStatus.Unknown,
    };

    public bool IsTerminal => State is ReplicateStatus.Succeeded or ReplicateStatus.Failed or ReplicateStatus.Canceled or ReplicateStatus.Aborted;

    public string ErrorText => Error is { ValueKind: JsonValueKind.String } e ? e.GetString() ?? string.Empty
        : Error is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } other ? other.GetRawText()
        : string.Empty;
}
