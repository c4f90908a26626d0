using System.Text.Json.Nodes;

namespace AiServer.Jobs;

/// <summary>
/// What a job produced: a file kept in our storage (served at <c>/v1/jobs/{id}/output</c>, so clients never depend on a
/// provider's expiring URL) and/or structured data (a caption's text, a cloned voice's id, a trained model's version).
/// </summary>
public sealed record JobOutput
{
    /// <summary>Where to fetch the file (relative to the api), when there is one.</summary>
    public string? Url { get; init; }

    public string? ContentType { get; init; }

    public long? Size { get; init; }

    /// <summary>The file name inside the output storage (kept in the record, not shown to clients).</summary>
    public string? StoredFile { get; init; }

    /// <summary>Structured results.</summary>
    public JsonObject? Data { get; init; }
}
