using Microsoft.Extensions.Options;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>Cross-field rules and the connection string; every message names its configuration key.</summary>
internal sealed class RedisOptionsValidator(string connectionName) : IValidateOptions<RedisOptions>
{
    public string ConfigurationKey { get; } = $"ConnectionStrings:{connectionName}";

    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        var failures = new List<string>();
        try
        {
            RedisConnectionSettings.Parse(options.ConnectionString, ConfigurationKey);
        }
        catch (FormatException ex)
        {
            failures.Add(ex.Message);
        }

        if (options.ReconnectMaxDelay < options.ReconnectMinDelay)
        {
            failures.Add($"Redis:ReconnectMaxDelay ({options.ReconnectMaxDelay}) must not be less than Redis:ReconnectMinDelay ({options.ReconnectMinDelay}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
