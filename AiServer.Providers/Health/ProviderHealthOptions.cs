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

    /// <summary>
    /// How long one probe may take (default 3 s). A provider that has not answered by then is reported unhealthy with
    /// "timed out", so <c>/health/detailed</c> answers within a few seconds whatever a provider does (its pipeline's
    /// own timeouts are far longer: 120 s in total for Replicate).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Share probe results through Redis when <c>ConnectionStrings:redis</c> is configured (default true): one instance
    /// probes a provider per cache period under a lease, the others serve its result. False: every instance probes for
    /// itself.
    /// </summary>
    public bool Shared { get; set; } = true;

    /// <summary>
    /// How long one Redis call of the shared probes may take (default 500 ms). A call that fails or takes longer makes
    /// this instance probe for itself, so a slow or lost Redis never holds <c>/health/detailed</c> past its deadline.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:05")]
    public TimeSpan SharedTimeout { get; set; } = TimeSpan.FromMilliseconds(500);
}
