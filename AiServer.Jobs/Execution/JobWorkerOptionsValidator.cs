using Microsoft.Extensions.Options;

namespace AiServer.Jobs.Execution;

/// <summary>Unknown or repeated kinds in <c>Workers:Kinds</c> fail the start, naming the entry.</summary>
internal sealed class JobWorkerOptionsValidator : IValidateOptions<JobWorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, JobWorkerOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.Kinds.Count; i++)
        {
            if (!JobKinds.IsKnown(options.Kinds[i]))
            {
                errors.Add($"Workers:Kinds:{i}: '{options.Kinds[i]}' is not a job kind; use one of {string.Join(", ", JobKinds.All)}.");
            }
            else if (options.Kinds.IndexOf(options.Kinds[i]) != i)
            {
                errors.Add($"Workers:Kinds:{i}: '{options.Kinds[i]}' is listed twice.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
