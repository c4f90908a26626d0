using System.ComponentModel.DataAnnotations;

namespace AiServer.Jobs.Webhooks;

/// <summary>Section <c>Webhooks</c>: provider webhooks in, client webhooks out.</summary>
public sealed class WebhooksOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>
    /// <c>Webhooks:PublicBaseUrl</c>: the api's address as providers reach it (e.g. <c>https://ai.example.com/</c>). Set:
    /// the workers give providers <c>{PublicBaseUrl}webhooks/{provider}?job={id}</c>. Unset: polling only.
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary><c>Webhooks:ReplayWindow</c>: a provider webhook older (or newer) than this is refused (default 5 min, as Standard Webhooks recommends).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary><c>Webhooks:FallbackPollInterval</c>: how often a job is still polled once its provider's webhooks arrive (default 30 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan FallbackPollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>Webhooks:FlowingFor</c>: after a verified webhook of a provider, its jobs poll at <see cref="FallbackPollInterval"/>
    /// for this long (default 10 min); without webhooks they poll at <c>Jobs:PollInterval</c>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan FlowingFor { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary><c>Webhooks:DeliveryAttempts</c>: attempts per client webhook delivery (default 5, the <c>critical</c> retry preset).</summary>
    [Range(1, 50)]
    public int DeliveryAttempts { get; set; } = 5;

    /// <summary><c>Webhooks:DeliveryTimeout</c>: one delivery attempt's timeout (default 10 s).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary><c>Webhooks:SecretGracePeriod</c>: after a rotation the previous secret signs too for this long (default 24 h).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan SecretGracePeriod { get; set; } = TimeSpan.FromHours(24);
}
