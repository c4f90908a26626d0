using Microsoft.Extensions.Options;

namespace AiServer.Jobs;

/// <summary><c>Jobs:Fallbacks</c> may name only known kinds and, for each, providers that can run it, each once.</summary>
internal sealed class JobsOptionsValidator : IValidateOptions<JobsOptions>
{
    public ValidateOptionsResult Validate(string? name, JobsOptions options)
    {
        var errors = new List<string>();
        foreach (var (kind, providers) in options.Fallbacks)
        {
            if (!JobKinds.IsKnown(kind))
            {
                errors.Add($"Jobs:Fallbacks:{kind}: '{kind}' is not a job kind; use one of {string.Join(", ", JobKinds.All)}.");
                continue;
            }

            var allowed = JobKinds.ProvidersOf(kind);
            for (var i = 0; i < providers.Count; i++)
            {
                if (!allowed.Contains(providers[i], StringComparer.Ordinal))
                {
                    errors.Add($"Jobs:Fallbacks:{kind}:{i}: '{providers[i]}' cannot run {kind} jobs; use {string.Join(" or ", allowed)}.");
                }
                else if (providers.IndexOf(providers[i]) != i)
                {
                    errors.Add($"Jobs:Fallbacks:{kind}:{i}: '{providers[i]}' is listed twice.");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
