using Microsoft.Extensions.Options;

namespace AiServer.Providers;

/// <summary>Runs <see cref="ProviderClientOptions.Validate"/> at start; messages name the configuration key.</summary>
internal sealed class ProviderOptionsValidator<TOptions>(string section) : IValidateOptions<TOptions>
    where TOptions : ProviderClientOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        options.Validate(section, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
