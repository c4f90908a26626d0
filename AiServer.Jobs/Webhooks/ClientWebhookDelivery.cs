using System.Text.Json.Nodes;

namespace AiServer.Jobs.Webhooks;

/// <summary>One client webhook delivery as the delivery log shows it (<c>GET /v1/jobs/{id}/deliveries</c>).</summary>
internal sealed record ClientWebhookDelivery
{
    public const string Pending = "pending";
    public const string Retrying = "retrying";
    public const string Delivered = "delivered";
    public const string Failed = "failed";

    public required string Id { get; init; }

    public required string Event { get; init; }

    public required string Url { get; init; }

    /// <summary><c>pending</c>, <c>retrying</c>, <c>delivered</c> or <c>failed</c> (gave up).</summary>
    public required string State { get; init; }

    public int Attempts { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? DeliveredAt { get; init; }

    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>Every attempt: <c>at</c>, <c>status</c> (HTTP status, absent when no answer), <c>error</c>, <c>duration_ms</c>.</summary>
    public JsonArray Log { get; init; } = [];
}
