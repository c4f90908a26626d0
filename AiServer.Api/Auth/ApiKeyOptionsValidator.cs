using Microsoft.Extensions.Options;

namespace AiServer.Api.Auth;

/// <summary>A <c>sha256:</c> entry must carry 64 hex digits; a plain key at least 16 characters. Messages name the entry, never its value.</summary>
internal sealed class ApiKeyOptionsValidator : IValidateOptions<ApiKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var entry = options.ApiKeys[i] ?? string.Empty;
            if (entry.StartsWith(ApiKeyRegistry.HashPrefix, StringComparison.Ordinal))
            {
                var hex = entry[ApiKeyRegistry.HashPrefix.Length..];
                if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
                {
                    errors.Add($"Auth:ApiKeys:{i}: a sha256: entry must be followed by 64 hex digits (the SHA-256 of the key).");
                }
            }
            else if (entry.Trim().Length < 16 || entry.Length > 512)
            {
                errors.Add($"Auth:ApiKeys:{i}: a key must be 16 to 512 characters (or sha256:<64 hex>).");
            }
        }

        if (options.RateLimit.PermitsPerSecond is < 1 or > 1_000_000)
        {
            errors.Add("Auth:RateLimit:PermitsPerSecond must be between 1 and 1000000.");
        }

        if (options.RateLimit.Burst is < 1 or > 1_000_000)
        {
            errors.Add("Auth:RateLimit:Burst must be between 1 and 1000000.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
