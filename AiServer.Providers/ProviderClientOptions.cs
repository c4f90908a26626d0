using System.ComponentModel.DataAnnotations;

namespace AiServer.Providers;

/// <summary>What every provider client is configured with (<c>Providers:{Name}:...</c>).</summary>
public abstract class ProviderClientOptions
{
    /// <summary>The provider's base URL (the emulator: <c>http://127.0.0.1:PORT/{provider}</c>).</summary>
    [Required]
    public string BaseUrl { get; set; } = string.Empty;

    /// <summary>The API key or token; empty means the provider is not configured (calls fail, health reports degraded).</summary>
    public string? ApiKey { get; set; }

    /// <summary>One attempt of one HTTP call; a timed-out attempt counts against the provider's breaker.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>One call including its retries and their waits.</summary>
    public TimeSpan TotalRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Largest response body buffered by a call that reads the whole body (JSON answers; default 8 MiB). A larger body
    /// fails the call with <c>response_too_large</c>. Streams (speech audio, event streams) have their own limits.
    /// Read when the HttpClient is registered: changing it needs a restart.
    /// </summary>
    public long MaxResponseBytes { get; set; } = DefaultMaxResponseBytes;

    internal const long DefaultMaxResponseBytes = 8L * 1024 * 1024;

    /// <summary>True when an API key is configured.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(ApiKey);

    /// <summary>Cross-field and format rules, each message naming its key under <paramref name="section"/>.</summary>
    /// <param name="section">The configuration section (<c>Providers:Replicate</c>).</param>
    /// <param name="errors">Where messages go.</param>
    internal virtual void Validate(string section, List<string> errors)
    {
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{section}:BaseUrl: must be an absolute http or https URL, got '{BaseUrl}'.");
        }

        if (AttemptTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{section}:AttemptTimeout: must be positive, got {AttemptTimeout}.");
        }

        if (MaxResponseBytes is < 1024 or > int.MaxValue)
        {
            errors.Add($"{section}:MaxResponseBytes: must be between 1024 and {int.MaxValue}, got {MaxResponseBytes}.");
        }

        if (TotalRequestTimeout < AttemptTimeout)
        {
            errors.Add($"{section}:TotalRequestTimeout: must be at least AttemptTimeout ({AttemptTimeout}), got {TotalRequestTimeout}.");
        }
    }

    /// <summary>The base URL with a trailing slash, so relative paths append to it.</summary>
    internal Uri BaseUri => new(BaseUrl.EndsWith('/') ? BaseUrl : BaseUrl + "/", UriKind.Absolute);
}
