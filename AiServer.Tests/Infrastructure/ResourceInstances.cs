using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.Tests.Infrastructure;

/// <summary>
/// What a resource instance's snapshot tells about the process DCP runs for it. Shared by the whole-app tests and the
/// drill harness (AiServer.Drills links this file).
/// </summary>
internal static class ResourceInstances
{
    public static bool IsHealthy(ResourceEvent e) =>
        e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy;

    /// <summary>The direct URL of one replica (bypassing DCP's proxy), from the ASPNETCORE_URLS DCP gave it.</summary>
    public static Uri DirectUrl(ResourceEvent instance)
    {
        var urls = instance.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value
            ?? throw new InvalidOperationException($"{instance.ResourceId} has no ASPNETCORE_URLS in its snapshot.");
        return new Uri(urls.Split(';')[0].Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
    }

    /// <summary>The process id DCP reports for an instance (for a project: the <c>dotnet run</c> launcher's).</summary>
    public static int Pid(ResourceEvent instance)
    {
        var value = instance.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value
            ?? throw new InvalidOperationException($"{instance.ResourceId} has no executable.pid property.");
        return Convert.ToInt32(value, CultureInfo.InvariantCulture);
    }
}
