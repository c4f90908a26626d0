using System.ComponentModel.DataAnnotations;

namespace AiServer.ServiceDefaults.Health;

/// <summary>How long a health check may take before it is reported at its failure status (section <c>Health:Deadlines</c>).</summary>
public sealed class HealthDeadlineOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Health:Deadlines";

    /// <summary>
    /// Each <c>ready</c> check (default 800 ms): a frozen Redis makes <c>/health/ready</c> answer 503 within this,
    /// below Kubernetes' default 1 s probe timeout, instead of timing the probe out.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan Ready { get; set; } = TimeSpan.FromMilliseconds(800);

    /// <summary>Each <c>detailed</c>-only check (default 5 s); provider probes have their own, shorter deadline.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan Detailed { get; set; } = TimeSpan.FromSeconds(5);
}
