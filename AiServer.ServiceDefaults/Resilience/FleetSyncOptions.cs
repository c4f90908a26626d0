using System.ComponentModel.DataAnnotations;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// How the breakers of one instance share state with the fleet through Redis
/// (section <c>CircuitBreakerSync</c>; the key prefix is the shared <c>Redis:KeyPrefix</c>).
/// </summary>
public sealed class FleetSyncOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "CircuitBreakerSync";

    /// <summary>Share state through Redis when a Redis connection is configured (default on).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Every breaker is re-read this often, so a lost pub/sub message heals (default 1 s).</summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Lifetime of a HALF_OPEN probe lease in Redis (<c>SET NX PX</c>). A probe taking longer may overlap with the
    /// next one, so keep it above the attempt timeout (default 30 s).
    /// </summary>
    public TimeSpan ProbeLeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A probe lease not used by a call within this time is handed back to the fleet (default 2 s).</summary>
    public TimeSpan ProbeLeaseIdleRelease { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one Redis operation of the sync may take before the instance falls back to local breakers (default 2 s).</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Breaker names created at start (besides the presets and the names under <c>CircuitBreakers</c>).</summary>
    [MaxLength(1000)]
    public IList<string> Names { get; } = [];
}
