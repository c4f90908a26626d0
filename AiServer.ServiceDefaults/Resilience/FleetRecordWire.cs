using System.Globalization;
using System.Text.Json;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// The one wire format of a <see cref="FleetStateRecord"/>: the JSON object <c>common.lua</c>'s <c>record()</c> writes,
/// both as a script's reply and as the message on <c>{KeyPrefix}cb:events</c>. Numbers travel as strings (a Lua
/// number would round a microsecond version).
/// </summary>
internal static class FleetRecordWire
{
    /// <summary>Parses a record; false for anything malformed (a message from an unknown writer is ignored, not fatal).</summary>
    public static bool TryParse(string? json, out FleetStateRecord record)
    {
        record = null!;
        if (string.IsNullOrEmpty(json))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            record = new FleetStateRecord
            {
                Name = root.GetProperty("name").GetString() ?? throw new FormatException("name is null"),
                Exists = root.TryGetProperty("exists", out var exists) && exists.ValueKind == JsonValueKind.True,
                State = ParseState(root.GetProperty("state").GetString()),
                Version = Long(root.GetProperty("version")),
                OpenRemainingMs = Long(root.GetProperty("openRemainingMs")),
                Forced = ParseForced(root.GetProperty("forced").GetString()),
                OpenedBy = NullIfEmpty(root.GetProperty("openedBy").GetString()),
                Reason = NullIfEmpty(root.GetProperty("reason").GetString()),
                HalfOpenSuccesses = (int)Long(root.GetProperty("halfOpenSuccesses")),
                CooldownRemainingMs = Long(root.GetProperty("cooldownRemainingMs")),
                // Optional: a writer from before fleet-wide failure counting sends no count (read as none).
                Failures = root.TryGetProperty("failures", out var failures) ? (int)Long(failures) : 0,
            };
            return true;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or FormatException or InvalidOperationException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>Parses a record a script returned; a malformed one is a bug in the scripts, so it throws.</summary>
    public static FleetStateRecord Parse(string? json) =>
        TryParse(json, out var record) ? record : throw new FormatException("A breaker script returned a malformed fleet record.");

    private static long Long(JsonElement element) => element.ValueKind == JsonValueKind.Number
        ? element.GetInt64()
        : long.Parse(element.GetString()!, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static CircuitState ParseState(string? state) => state switch
    {
        "OPEN" => CircuitState.Open,
        "HALF_OPEN" => CircuitState.HalfOpen,
        _ => CircuitState.Closed,
    };

    private static ForcedState ParseForced(string? forced) => forced switch
    {
        "OPEN" => ForcedState.Open,
        "CLOSED" => ForcedState.Closed,
        _ => ForcedState.None,
    };
}
