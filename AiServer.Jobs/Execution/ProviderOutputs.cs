using System.Text.Json;

namespace AiServer.Jobs.Execution;

/// <summary>Finds the file URL in a provider's output (a URL, an array of URLs, or an object with a URL field).</summary>
internal static class ProviderOutputs
{
    public static Uri? FirstUrl(JsonElement? output, params string[] fields)
    {
        if (output is not { } element)
        {
            return null;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.String when Uri.TryCreate(element.GetString(), UriKind.Absolute, out var url):
                return url;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (FirstUrl(item, fields) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Object:
                foreach (var field in fields)
                {
                    if (element.TryGetProperty(field, out var value) && FirstUrl(value, fields) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }
}
