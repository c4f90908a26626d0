using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.Providers.Health;

/// <summary>
/// A provider check's answer with the details that say where it came from: <c>source</c> (<see cref="ProbeSource"/>),
/// <c>cached</c> (no probe ran for this answer), <c>probedBy</c> (instance id), <c>probedAt</c> (ISO 8601) and
/// <c>probeResponseTime</c> (the probe's duration in ms at the instance that ran it).
/// </summary>
internal static class ProbeDetails
{
    public static HealthCheckResult Describe(
        HealthStatus status,
        string? description,
        IReadOnlyDictionary<string, object> probeData,
        string source,
        bool cached,
        string probedBy,
        DateTimeOffset probedAt,
        TimeSpan responseTime,
        params (string Key, object Value)[] extra)
    {
        var data = new Dictionary<string, object>(probeData, StringComparer.Ordinal)
        {
            ["source"] = source,
            ["cached"] = cached,
            ["probedBy"] = probedBy,
            ["probedAt"] = probedAt.ToString("O", CultureInfo.InvariantCulture),
            ["probeResponseTime"] = Math.Round(responseTime.TotalMilliseconds, 2),
        };
        foreach (var (key, value) in extra)
        {
            data[key] = value;
        }

        return new HealthCheckResult(status, description, exception: null, data);
    }

    public static HealthCheckResult Describe(SharedProbeResult shared, string source, bool cached, params (string Key, object Value)[] extra) =>
        Describe(shared.Status, shared.Description, shared.Data, source, cached, shared.ProbedBy, shared.ProbedAt, shared.ResponseTime, extra);

    public static HealthCheckResult Describe(ProbeOutcome outcome, string source, bool cached, string probedBy, DateTimeOffset? probedAt = null) =>
        Describe(outcome.Result.Status, outcome.Result.Description, outcome.Result.Data, source, cached, probedBy, probedAt ?? outcome.ProbedAt, outcome.Duration);
}
