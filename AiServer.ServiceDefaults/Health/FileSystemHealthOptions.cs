using System.ComponentModel.DataAnnotations;

namespace AiServer.ServiceDefaults.Health;

/// <summary>Options of the <c>filesystem</c> health check (section <c>Health:FileSystem</c>).</summary>
public sealed class FileSystemHealthOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Health:FileSystem";

    /// <summary>The data folder that must be writable; relative paths are under the content root.</summary>
    [Required(AllowEmptyStrings = false)]
    public string DataPath { get; set; } = "data";

    /// <summary>Below this many free bytes the check reports degraded.</summary>
    [Range(0, long.MaxValue)]
    public long DegradedFreeBytes { get; set; } = 1L << 30;

    /// <summary>Below this many free bytes the check reports unhealthy.</summary>
    [Range(0, long.MaxValue)]
    public long UnhealthyFreeBytes { get; set; } = 100L << 20;
}
