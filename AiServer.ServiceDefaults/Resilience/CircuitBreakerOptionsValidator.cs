using Microsoft.Extensions.Options;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// Validates a named breaker's options with messages that name the configuration key to fix
/// (<c>CircuitBreakers:{name}:{Option}</c>, or the <c>CB_*</c> variable the value came from).
/// </summary>
internal sealed class CircuitBreakerOptionsValidator : IValidateOptions<CircuitBreakerOptions>
{
    internal static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, CircuitBreakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        string Key(string option) => options.Sources.TryGetValue(option, out var key)
            ? key
            : $"{CircuitBreakerOptions.SectionName}:{(string.IsNullOrEmpty(name) ? "{name}" : name)}:{option}";

        foreach (var (key, raw) in options.ParseErrors)
        {
            failures.Add($"{key} has the value '{raw}', which is not a number (durations: milliseconds or hh:mm:ss).");
        }

        CheckRange(failures, Key(nameof(options.FailureThreshold)), options.FailureThreshold, 1, 10_000);
        CheckRange(failures, Key(nameof(options.SuccessThreshold)), options.SuccessThreshold, 1, 1_000);
        CheckRange(failures, Key(nameof(options.HalfOpenMaxProbes)), options.HalfOpenMaxProbes, 1, 100);
        CheckRange(failures, Key(nameof(options.MinimumReporters)), options.MinimumReporters, 1, 1_000);
        CheckDuration(failures, Key(nameof(options.RecoveryTimeout)), options.RecoveryTimeout);
        CheckDuration(failures, Key(nameof(options.MonitoringPeriod)), options.MonitoringPeriod);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckRange(List<string> failures, string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{key} must be between {min} and {max} (was {value}).");
        }
    }

    private static void CheckDuration(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value > MaxDuration)
        {
            failures.Add($"{key} must be a positive duration of at most 1 day (was {value}).");
        }
    }
}
