using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiServer.ProviderEmulator.Infrastructure;

/// <summary>JSON helpers: providers' bodies are built as <see cref="JsonNode"/>s so their field names stay exactly the providers'.</summary>
internal static class ProviderJson
{
    public const string ProblemJson = "application/problem+json";

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static JsonHttpResult<JsonNode> Json(JsonNode body, int status = StatusCodes.Status200OK, string? contentType = null) =>
        TypedResults.Json(body, Options, contentType, status);

    /// <summary>RFC 3339 with a <c>Z</c>, as Replicate writes timestamps.</summary>
    public static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads the body as a JSON object; null when it is missing or not an object.</summary>
    public static async Task<JsonObject?> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
            return node as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads any JSON value; <c>ok=false</c> when the body is not JSON at all.</summary>
    public static async Task<(bool Ok, JsonNode? Node)> ReadAnyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
            return (true, node);
        }
        catch (JsonException)
        {
            return (false, null);
        }
    }

    /// <summary>True when any string anywhere in <paramref name="node"/> contains <paramref name="marker"/>.</summary>
    public static bool ContainsText(JsonNode? node, string marker) => node switch
    {
        JsonObject obj => obj.Any(p => ContainsText(p.Value, marker)),
        JsonArray array => array.Any(item => ContainsText(item, marker)),
        JsonValue value when value.TryGetValue<string>(out var text) => text.Contains(marker, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    public static string? GetString(this JsonObject obj, string name) =>
        obj[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
