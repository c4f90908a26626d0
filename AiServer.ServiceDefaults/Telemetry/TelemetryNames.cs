namespace AiServer.ServiceDefaults.Telemetry;

/// <summary>Meter and activity-source names AiServer's telemetry listens to.</summary>
public static class TelemetryNames
{
    /// <summary>Every AiServer meter and activity source starts with this; the providers listen to <c>AiServer.*</c>.</summary>
    public const string Prefix = "AiServer";

    /// <summary>Process-level instruments (uptime, memory, CPU).</summary>
    public const string ProcessMeter = "AiServer.Process";

    /// <summary>The seeds' HTTP request and error counters.</summary>
    public const string HttpMeter = "AiServer.Http";

    /// <summary>The built-in meters collected besides ours (reference/aspire-conventions.md §3).</summary>
    internal static readonly string[] BuiltInMeters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "System.Net.Http",
        "System.Runtime",
    ];

    /// <summary>The built-in activity sources traced besides ours.</summary>
    internal static readonly string[] BuiltInSources = ["Microsoft.AspNetCore", "System.Net.Http"];
}
