using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// Builds the options of a named breaker in layers: built-in defaults, then the global defaults from
/// <c>CB_FAILURE_THRESHOLD</c> / <c>CB_RECOVERY_TIMEOUT</c> / <c>CB_MONITORING_PERIOD</c> (ms), then the preset for the
/// name, then <c>CircuitBreakers:{name}:*</c>. Parsing is done here rather than by the binder so that
/// <c>30000</c> means 30 s (as in the seeds) and not 30,000 days, and so that errors name the key.
/// </summary>
internal sealed class CircuitBreakerOptionsSetup(IConfiguration configuration) : IConfigureNamedOptions<CircuitBreakerOptions>
{
    internal const string FailureThresholdVariable = "CB_FAILURE_THRESHOLD";
    internal const string RecoveryTimeoutVariable = "CB_RECOVERY_TIMEOUT";
    internal const string MonitoringPeriodVariable = "CB_MONITORING_PERIOD";

    public void Configure(CircuitBreakerOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, CircuitBreakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        ReadInt(options, FailureThresholdVariable, nameof(CircuitBreakerOptions.FailureThreshold), v => options.FailureThreshold = v);
        ReadDuration(options, RecoveryTimeoutVariable, nameof(CircuitBreakerOptions.RecoveryTimeout), v => options.RecoveryTimeout = v);
        ReadDuration(options, MonitoringPeriodVariable, nameof(CircuitBreakerOptions.MonitoringPeriod), v => options.MonitoringPeriod = v);

        if (string.IsNullOrEmpty(name))
        {
            return;
        }

        if (CircuitBreakerPresets.TryGet(name) is { } preset)
        {
            options.CopyFrom(preset);
            // Preset values are known to be valid; messages about them name the override key.
            options.Sources.Clear();
        }

        var prefix = $"{CircuitBreakerOptions.SectionName}:{name}:";
        ReadInt(options, prefix + nameof(CircuitBreakerOptions.FailureThreshold), nameof(CircuitBreakerOptions.FailureThreshold), v => options.FailureThreshold = v);
        ReadDuration(options, prefix + nameof(CircuitBreakerOptions.RecoveryTimeout), nameof(CircuitBreakerOptions.RecoveryTimeout), v => options.RecoveryTimeout = v);
        ReadDuration(options, prefix + nameof(CircuitBreakerOptions.MonitoringPeriod), nameof(CircuitBreakerOptions.MonitoringPeriod), v => options.MonitoringPeriod = v);
        ReadInt(options, prefix + nameof(CircuitBreakerOptions.SuccessThreshold), nameof(CircuitBreakerOptions.SuccessThreshold), v => options.SuccessThreshold = v);
        ReadInt(options, prefix + nameof(CircuitBreakerOptions.HalfOpenMaxProbes), nameof(CircuitBreakerOptions.HalfOpenMaxProbes), v => options.HalfOpenMaxProbes = v);
        ReadInt(options, prefix + nameof(CircuitBreakerOptions.MinimumReporters), nameof(CircuitBreakerOptions.MinimumReporters), v => options.MinimumReporters = v);
    }

    private void ReadInt(CircuitBreakerOptions options, string key, string option, Action<int> set)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return;
        }

        options.Sources[option] = key;
        if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            set(value);
        }
        else
        {
            options.ParseErrors.Add(new(key, raw));
        }
    }

    private void ReadDuration(CircuitBreakerOptions options, string key, string option, Action<TimeSpan> set)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return;
        }

        options.Sources[option] = key;
        if (TryParseDuration(raw, out var value))
        {
            set(value);
        }
        else
        {
            options.ParseErrors.Add(new(key, raw));
        }
    }

    /// <summary>A whole number is milliseconds (the seeds' convention); anything else must be a <c>TimeSpan</c> (c format).</summary>
    internal static bool TryParseDuration(string raw, out TimeSpan value)
    {
        raw = raw.Trim();
        if (long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
        {
            value = TimeSpan.FromMilliseconds(ms);
            return true;
        }

        return TimeSpan.TryParseExact(raw, "c", CultureInfo.InvariantCulture, out value);
    }
}
