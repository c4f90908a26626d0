using System.ComponentModel.DataAnnotations;

namespace AiServer.ServiceDefaults.Health;

/// <summary>Options of the <c>memory</c> health check (section <c>Health:Memory</c>).</summary>
public sealed class MemoryHealthOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Health:Memory";

    /// <summary>Resident memory above which the check reports degraded; 1 GiB, as the seeds' HighMemoryUsage alert.</summary>
    [Range(1, long.MaxValue)]
    public long DegradedResidentBytes { get; set; } = 1L << 30;

    /// <summary>Resident memory above which the check reports unhealthy.</summary>
    [Range(1, long.MaxValue)]
    public long UnhealthyResidentBytes { get; set; } = 2L << 30;
}
