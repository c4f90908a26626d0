using System.Text.Json;

namespace AiServer.Tests.Providers.Health;

/// <summary>One check of <c>/health/detailed</c>: its status and details.</summary>
internal sealed record CheckEntry(string Status, JsonElement Details)
{
    /// <summary>A detail as text, or null when absent.</summary>
    public string? Text(string key) => Details.TryGetProperty(key, out var value) ? value.ToString() : null;
}
