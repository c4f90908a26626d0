using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// Cross-field rules and the connection string (parsed the way StackExchange.Redis will parse it); every message names
/// its configuration key and none repeats the connection string, which may hold a password.
/// </summary>
internal sealed class RedisOptionsValidator(string connectionName, Func<string?> connectionString) : IValidateOptions<RedisOptions>
{
    public string ConfigurationKey { get; } = $"ConnectionStrings:{connectionName}";

    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        var failures = new List<string>();
        var text = connectionString();
        if (string.IsNullOrWhiteSpace(text))
        {
            failures.Add($"{ConfigurationKey} is not set: give the Redis server as host:port[,password=...][,ssl=true].");
        }
        else
        {
            try
            {
                if (ConfigurationOptions.Parse(text).EndPoints.Count == 0)
                {
                    failures.Add($"{ConfigurationKey} names no Redis endpoint (expected host:port[,password=...][,ssl=true]).");
                }
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException)
            {
                failures.Add($"{ConfigurationKey} is not a valid Redis connection string: {ex.Message}");
            }
        }

        if (!string.IsNullOrEmpty(options.CaCertificatePath) && !File.Exists(options.CaCertificatePath))
        {
            failures.Add($"Redis:CaCertificatePath names a file that does not exist: {options.CaCertificatePath}.");
        }

        if (options.ReconnectMaxDelay < options.ReconnectMinDelay)
        {
            failures.Add($"Redis:ReconnectMaxDelay ({options.ReconnectMaxDelay}) must not be less than Redis:ReconnectMinDelay ({options.ReconnectMinDelay}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
