using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AiServer.ServiceDefaults.Health;

/// <summary>The data folder exists and is writable, and its disk has free space above the thresholds.</summary>
internal sealed class FileSystemHealthCheck(IOptionsMonitor<FileSystemHealthOptions> options, IHostEnvironment environment) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var o = options.CurrentValue;
        var path = Path.GetFullPath(o.DataPath, environment.ContentRootPath);
        var data = new Dictionary<string, object> { ["path"] = path };
        try
        {
            Directory.CreateDirectory(path);
            var probe = Path.Combine(path, $".health-{Environment.ProcessId}-{Guid.NewGuid():N}");
            try
            {
                await File.WriteAllBytesAsync(probe, [1, 2, 3], cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // A failed write (disk full) must not leave one probe file per check behind.
                File.Delete(probe);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy($"The data folder is not writable: {ex.Message}", data: data);
        }

        var free = new DriveInfo(path).AvailableFreeSpace;
        data["freeBytes"] = free;
        if (free < o.UnhealthyFreeBytes)
        {
            return HealthCheckResult.Unhealthy($"Only {free} bytes free; {FileSystemHealthOptions.SectionName}:UnhealthyFreeBytes is {o.UnhealthyFreeBytes}.", data: data);
        }

        return free < o.DegradedFreeBytes
            ? HealthCheckResult.Degraded($"Only {free} bytes free; {FileSystemHealthOptions.SectionName}:DegradedFreeBytes is {o.DegradedFreeBytes}.", data: data)
            : HealthCheckResult.Healthy("writable", data);
    }
}
