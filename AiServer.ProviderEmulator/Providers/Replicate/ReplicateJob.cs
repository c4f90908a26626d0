using System.Text.Json.Nodes;
using AiServer.ProviderEmulator.Infrastructure;

namespace AiServer.ProviderEmulator.Providers.Replicate;

/// <summary>A prediction or training. Mutated only under <see cref="ReplicateStore"/>'s lock.</summary>
internal sealed class ReplicateJob
{
    public required string Id { get; init; }

    public required bool IsTraining { get; init; }

    public required string Model { get; init; }

    public required string Version { get; init; }

    public required JsonObject Input { get; init; }

    public required string Origin { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required JobOutcome Outcome { get; init; }

    public required TimeSpan Duration { get; init; }

    public string? Destination { get; init; }

    public string? Webhook { get; init; }

    public IReadOnlyList<string>? WebhookEventsFilter { get; init; }

    public DateTimeOffset? Deadline { get; init; }

    public string? Deployment { get; init; }

    public string Status { get; set; } = "starting";

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public JsonNode? Output { get; set; }

    public string Logs { get; set; } = string.Empty;

    public string? Error { get; set; }

    public TaskCompletionSource Terminal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsTerminal => Status is "succeeded" or "failed" or "canceled" or "aborted";

    /// <summary>The object as GET returns it (and webhooks send it).</summary>
    public JsonObject ToJson(bool createResponse = false)
    {
        // Quirk kept from Replicate's recordings: a training's create response points its urls at /v1/predictions.
        var collection = IsTraining && !createResponse ? "trainings" : "predictions";
        var self = $"{Origin}/replicate/v1/{collection}/{Id}";
        var json = new JsonObject
        {
            ["id"] = Id,
            ["model"] = Model,
            ["version"] = Version,
            ["input"] = Input.DeepClone(),
            ["logs"] = Logs,
            ["output"] = Output?.DeepClone(),
            ["data_removed"] = false,
            ["error"] = Error,
            ["status"] = Status,
            ["source"] = "api",
            ["created_at"] = ProviderJson.Timestamp(CreatedAt),
            ["started_at"] = StartedAt is { } s ? ProviderJson.Timestamp(s) : null,
            ["completed_at"] = CompletedAt is { } c ? ProviderJson.Timestamp(c) : null,
            ["urls"] = new JsonObject
            {
                ["get"] = self,
                ["cancel"] = self + "/cancel",
                ["web"] = $"https://replicate.com/p/{Id}",
            },
        };
        if (!IsTraining && ReplicateOutputs.IsText(this))
        {
            // Like stream.replicate.com URLs it is unguessable enough and needs no token (the SDKs fetch it without one).
            json["urls"]!["stream"] = $"{Origin}/replicate/stream/{Id}";
        }

        if (Deadline is { } deadline)
        {
            json["deadline"] = ProviderJson.Timestamp(deadline);
        }

        if (Deployment is not null)
        {
            json["deployment"] = Deployment;
        }

        if (Destination is not null)
        {
            json["destination"] = Destination;
        }

        if (IsTerminal)
        {
            var end = CompletedAt ?? CreatedAt;
            json["metrics"] = new JsonObject
            {
                ["predict_time"] = Math.Round(((end - (StartedAt ?? end)).TotalSeconds), 3),
                ["total_time"] = Math.Round((end - CreatedAt).TotalSeconds, 3),
            };
        }

        return json;
    }
}
