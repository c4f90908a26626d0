using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AiServer.Providers.Http;

/// <summary>JSON settings and tolerant readers shared by the clients.</summary>
internal static class ProviderJson
{
    /// <summary>snake_case (Replicate, ElevenLabs, BFL, Hugging Face).</summary>
    public static readonly JsonSerializerOptions SnakeCase = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>camelCase (Sync, PostgREST rows by default).</summary>
    public static readonly JsonSerializerOptions CamelCase = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static JsonNode? TryParse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A string member, or a JSON rendering of a non-string member, or null.</summary>
    public static string? Text(JsonNode? node, string name)
    {
        if (node is not JsonObject obj || obj[name] is not { } value)
        {
            return null;
        }

        return value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value.ToJsonString();
    }
}
