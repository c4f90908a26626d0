using System.ComponentModel.DataAnnotations;

namespace AiServer.ServiceDefaults.Logging;

/// <summary>The rolling file log (section <c>Logging:File</c>); the seeds' troubleshooting is <c>tail -f logs/app.log | grep ERROR</c>.</summary>
public sealed class FileLoggerOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Logging:File";

    /// <summary>Whether the file log is written.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The log file; relative paths are under the working directory.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Path { get; set; } = "logs/app.log";

    /// <summary>When the file reaches this size it is rolled to <c>app.1.log</c>, <c>app.2.log</c>, ...</summary>
    [Range(4096, long.MaxValue)]
    public long MaxFileSizeBytes { get; set; } = 10L << 20;

    /// <summary>How many rolled files are kept besides the current one.</summary>
    [Range(0, 100)]
    public int MaxRetainedFiles { get; set; } = 5;
}
