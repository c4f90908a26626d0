using System.Text.Json.Nodes;
using AiServer.ProviderEmulator.Infrastructure;

namespace AiServer.ProviderEmulator.Providers.Bfl;

/// <summary>A generation or finetune task. Mutated only under <see cref="BflStore"/>'s lock.</summary>
internal sealed class BflTask
{
    public required string Id { get; init; }

    public required string Endpoint { get; init; }

    public required JsonObject Input { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required JobOutcome Outcome { get; init; }

    public required TimeSpan Duration { get; init; }

    public required string Origin { get; init; }

    public string? WebhookUrl { get; init; }

    public string? WebhookSecret { get; init; }

    public bool IsFinetune { get; init; }

    public string Status { get; set; } = "Pending";

    public JsonObject? Result { get; set; }

    public JsonNode? Details { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public bool IsTerminal => Status is not ("Pending" or "Generating");

    public JsonObject ToResult(DateTimeOffset now)
    {
        var duration = Duration;
        var progress = IsTerminal || duration <= TimeSpan.Zero ? 1.0 : Math.Clamp((now - CreatedAt) / duration, 0, 0.99);
        return new JsonObject
        {
            ["id"] = Id,
            ["status"] = Status,
            ["result"] = Result?.DeepClone(),
            ["progress"] = Status == "Ready" ? 1.0 : IsTerminal ? null : Math.Round(progress, 2),
            ["details"] = Details?.DeepClone(),
            ["preview"] = null,
        };
    }
}
