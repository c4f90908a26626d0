using System.Text.Json.Nodes;
using AiServer.ProviderEmulator.Infrastructure;

namespace AiServer.ProviderEmulator.Providers.SyncLabs;

/// <summary>A lip-sync generation. Mutated only under <see cref="SyncLabsStore"/>'s lock.</summary>
internal sealed class SyncGeneration
{
    public required string Id { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string Model { get; init; }

    public required JsonArray Input { get; init; }

    public JsonNode? Options { get; init; }

    public JsonNode? Segments { get; init; }

    public string? WebhookUrl { get; init; }

    public string? OutputFileName { get; init; }

    public required string Origin { get; init; }

    public required JobOutcome Outcome { get; init; }

    public required TimeSpan Duration { get; init; }

    public string Status { get; set; } = "PENDING";

    public string? OutputUrl { get; set; }

    public double? OutputDuration { get; set; }

    public string? Error { get; set; }

    public string? ErrorCode { get; set; }

    public bool IsTerminal => Status is "COMPLETED" or "FAILED" or "REJECTED";

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["createdAt"] = ProviderJson.Timestamp(CreatedAt),
        ["status"] = Status,
        ["model"] = Model,
        ["input"] = Input.DeepClone(),
        ["options"] = Options?.DeepClone(),
        ["outputUrl"] = OutputUrl,
        ["outputDuration"] = OutputDuration,
        ["segments"] = Segments?.DeepClone(),
        ["segmentOutputUrl"] = null,
        ["webhookUrl"] = WebhookUrl,
        ["error"] = Error,
        ["error_code"] = ErrorCode,
    };
}
