using System.ComponentModel.DataAnnotations;

namespace AiServer.Providers.Health;

/// <summary>Provider health probes on <c>/health/detailed</c> (section <c>Providers:Health</c>).</summary>
public sealed class ProviderHealthOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Providers:Health";

    /// <summary>How long a probe result is reused before the provider is called again (default 30 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(30);
}
