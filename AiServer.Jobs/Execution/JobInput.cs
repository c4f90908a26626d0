using System.Text.Json;
using System.Text.Json.Nodes;

namespace AiServer.Jobs.Execution;

/// <summary>Typed reads of a validated job input (validation happened at submission; these only convert).</summary>
internal static class JobInput
{
    public static string? String(JsonObject input, string name) =>
        input[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static string RequiredString(JsonObject input, string name) =>
        String(input, name) ?? throw new InvalidOperationException($"The validated input lacks '{name}'.");

    public static int? Int(JsonObject input, string name) =>
        input[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i) ? i : null;

    public static bool? Bool(JsonObject input, string name) =>
        input[name] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;

    public static Uri Url(JsonObject input, string name) => new(RequiredString(input, name), UriKind.Absolute);

    public static JsonObject? Object(JsonObject input, string name) => input[name] as JsonObject;
}
