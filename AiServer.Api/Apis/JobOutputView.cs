using System.Text.Json.Nodes;

namespace AiServer.Api.Apis;

/// <summary>A job's output as clients see it: the file at <see cref="Url"/> (when there is one) and structured data.</summary>
public sealed record JobOutputView
{
    public string? Url { get; init; }

    public string? ContentType { get; init; }

    public long? Size { get; init; }

    public JsonObject? Data { get; init; }
}
