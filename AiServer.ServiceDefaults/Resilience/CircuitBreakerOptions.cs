using System.ComponentModel.DataAnnotations;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// Options of one named fleet circuit breaker, bound from <c>CircuitBreakers:{name}:*</c> on top of the
/// built-in preset for that name (see <see cref="CircuitBreakerPresets"/>) and the global defaults from the
/// environment variables <c>CB_FAILURE_THRESHOLD</c>, <c>CB_RECOVERY_TIMEOUT</c> and <c>CB_MONITORING_PERIOD</c>
/// (milliseconds). Durations accept <c>hh:mm:ss[.fff]</c> or a whole number of milliseconds.
/// </summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>The configuration section holding one sub-section per breaker name.</summary>
    public const string SectionName = "CircuitBreakers";

    /// <summary>Built-in default of <see cref="FailureThreshold"/>.</summary>
    public const int DefaultFailureThreshold = 5;

    /// <summary>Built-in default of <see cref="SuccessThreshold"/>.</summary>
    public const int DefaultSuccessThreshold = 2;

    /// <summary>Built-in default of <see cref="RecoveryTimeout"/>.</summary>
    public static readonly TimeSpan DefaultRecoveryTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Built-in default of <see cref="MonitoringPeriod"/>.</summary>
    public static readonly TimeSpan DefaultMonitoringPeriod = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Consecutive handled failures, each within <see cref="MonitoringPeriod"/> of the previous one, that open the circuit.
    /// </summary>
    [Range(1, 10_000)]
    public int FailureThreshold { get; set; } = DefaultFailureThreshold;

    /// <summary>How long an OPEN circuit rejects calls before it lets probes through (HALF_OPEN).</summary>
    public TimeSpan RecoveryTimeout { get; set; } = DefaultRecoveryTimeout;

    /// <summary>Failures further apart than this do not add up; the count starts again.</summary>
    public TimeSpan MonitoringPeriod { get; set; } = DefaultMonitoringPeriod;

    /// <summary>Consecutive probe successes in HALF_OPEN that close the circuit.</summary>
    [Range(1, 1_000)]
    public int SuccessThreshold { get; set; } = DefaultSuccessThreshold;

    /// <summary>Probe calls allowed at the same time in HALF_OPEN, across the whole fleet.</summary>
    [Range(1, 100)]
    public int HalfOpenMaxProbes { get; set; } = 1;

    /// <summary>
    /// Instances that must each have reached <see cref="FailureThreshold"/> within <see cref="MonitoringPeriod"/>
    /// before the fleet opens (1 = any single instance opens the fleet).
    /// </summary>
    [Range(1, 1_000)]
    public int MinimumReporters { get; set; } = 1;

    /// <summary>Copies every value (presets are templates; each breaker gets its own instance).</summary>
    internal void CopyFrom(CircuitBreakerOptions other)
    {
        FailureThreshold = other.FailureThreshold;
        RecoveryTimeout = other.RecoveryTimeout;
        MonitoringPeriod = other.MonitoringPeriod;
        SuccessThreshold = other.SuccessThreshold;
        HalfOpenMaxProbes = other.HalfOpenMaxProbes;
        MinimumReporters = other.MinimumReporters;
    }

    /// <summary>Where each value came from (a configuration key), so validation messages name it.</summary>
    internal Dictionary<string, string> Sources { get; } = new(StringComparer.Ordinal);

    /// <summary>Values present in configuration that could not be parsed (key, raw value).</summary>
    internal List<KeyValuePair<string, string>> ParseErrors { get; } = [];
}
