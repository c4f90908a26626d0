using System.ComponentModel.DataAnnotations;

namespace AiServer.ServiceDefaults.Hosting;

/// <summary>Graceful shutdown (section <c>Shutdown</c>).</summary>
public sealed class ShutdownOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Shutdown";

    /// <summary>
    /// How long the instance keeps serving with readiness at 503 before it stops accepting connections, so load
    /// balancers and Kubernetes endpoints notice first. 0 locally; about 5 s behind a load balancer.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ReadinessDelay { get; set; } = TimeSpan.Zero;

    /// <summary>How long in-flight requests and background work get to finish once the server stops accepting.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the last telemetry export (traces, metrics, logs to OTLP) may take once the host has stopped. An
    /// orchestrator kills a process that outlives its grace (DCP: 6 s after SIGTERM; Kubernetes:
    /// terminationGracePeriodSeconds), so a collector that is away must not hold the exit.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan TelemetryFlushTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
