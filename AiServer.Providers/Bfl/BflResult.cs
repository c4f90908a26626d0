using System.Text.Json;

namespace AiServer.Providers.Bfl;

/// <summary><c>GET /v1/get_result?id=</c>.</summary>
internal sealed record BflResult
{
    public required string Id { get; init; }

    /// <summary>As BFL spells it (<c>Pending</c>, <c>Ready</c>, <c>Request Moderated</c>, ...); see <see cref="State"/>.</summary>
    public string Status { get; init; } = string.Empty;

    public JsonElement? Result { get; init; }

    public double? Progress { get; init; }

    public JsonElement? Details { get; init; }

    public BflStatus State => Status switch
    {
        "Pending" => BflStatus.Pending,
        "Ready" => BflStatus.Ready,
        "Error" => BflStatus.Error,
        "Request Moderated" => BflStatus.RequestModerated,
        "Content Moderated" => BflStatus.ContentModerated,
        "Task not found" => BflStatus.TaskNotFound,
        _ => BflStatus.Unknown,
    };

    public bool IsTerminal => State is not (BflStatus.Pending or BflStatus.Unknown);
}
