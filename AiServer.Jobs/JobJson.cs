using System.Text.Json;
using System.Text.Json.Serialization;

namespace AiServer.Jobs;

/// <summary>The one JSON shape of jobs: snake_case, as the API and the stored records spell them.</summary>
internal static class JobJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize(JobRecord record) => JsonSerializer.Serialize(record, Options);

    public static JobRecord Deserialize(string json) =>
        JsonSerializer.Deserialize<JobRecord>(json, Options) ?? throw new JsonException("A job record was null.");
}
