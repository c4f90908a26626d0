using Microsoft.Extensions.Options;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>Validates <see cref="FleetSyncOptions"/> with messages naming the configuration key.</summary>
internal sealed class FleetSyncOptionsValidator : IValidateOptions<FleetSyncOptions>
{
    public ValidateOptionsResult Validate(string? name, FleetSyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Check(failures, nameof(options.ResyncInterval), options.ResyncInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        Check(failures, nameof(options.ProbeLeaseDuration), options.ProbeLeaseDuration, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        Check(failures, nameof(options.ProbeLeaseIdleRelease), options.ProbeLeaseIdleRelease, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        Check(failures, nameof(options.OperationTimeout), options.OperationTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
        if (options.ProbeLeaseIdleRelease >= options.ProbeLeaseDuration)
        {
            failures.Add($"{FleetSyncOptions.SectionName}:{nameof(options.ProbeLeaseIdleRelease)} ({options.ProbeLeaseIdleRelease}) must be shorter than {FleetSyncOptions.SectionName}:{nameof(options.ProbeLeaseDuration)} ({options.ProbeLeaseDuration}).");
        }

        foreach (var breaker in options.Names)
        {
            if (!CircuitBreakerName.IsValid(breaker))
            {
                failures.Add($"{FleetSyncOptions.SectionName}:{nameof(options.Names)} contains '{breaker}', which is not a valid breaker name ({CircuitBreakerName.Rule}).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, string option, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{FleetSyncOptions.SectionName}:{option} must be between {min} and {max} (was {value}).");
        }
    }
}
