using AiServer.ServiceDefaults.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AiServer.Tests.ServiceDefaults.Health;

public sealed class MemoryHealthCheckTests
{
    [Theory]
    [InlineData(100L, HealthStatus.Healthy)]
    [InlineData(1000L, HealthStatus.Degraded)]
    [InlineData(5000L, HealthStatus.Unhealthy)]
    public async Task CheckHealth_ResidentMemoryAgainstThresholds_ReportsStatus(long rss, HealthStatus expected)
    {
        var options = new MemoryHealthOptions { DegradedResidentBytes = 1000, UnhealthyResidentBytes = 5000 };
        var check = new MemoryHealthCheck(new StaticMonitor<MemoryHealthOptions>(options)) { ResidentBytes = () => rss };

        var result = await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);

        Assert.Equal(expected, result.Status);
        Assert.Equal(rss, result.Data["residentBytes"]);
    }

    [Fact]
    public async Task FileSystemCheck_DataFolderIsAFile_ReportsUnhealthyWithReason()
    {
        var root = Directory.CreateTempSubdirectory("aiserver-fs-").FullName;
        var blocker = Path.Combine(root, "data");
        await File.WriteAllTextAsync(blocker, "not a folder", TestContext.Current.CancellationToken);
        var options = new FileSystemHealthOptions { DataPath = blocker };
        var check = new FileSystemHealthCheck(new StaticMonitor<FileSystemHealthOptions>(options), new TestHostEnvironment(root));

        var result = await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.StartsWith("The data folder is not writable", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileSystemCheck_FreeSpaceBelowDegradedThreshold_ReportsDegraded()
    {
        var root = Directory.CreateTempSubdirectory("aiserver-fs-").FullName;
        var options = new FileSystemHealthOptions { DataPath = "data", DegradedFreeBytes = long.MaxValue, UnhealthyFreeBytes = 0 };
        var check = new FileSystemHealthCheck(new StaticMonitor<FileSystemHealthOptions>(options), new TestHostEnvironment(root));

        var result = await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("Health:FileSystem:DegradedFreeBytes", result.Description, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(root, "data")));
    }

    private sealed class StaticMonitor<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }

    private sealed class TestHostEnvironment(string root) : Microsoft.Extensions.Hosting.IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";

        public string ApplicationName { get; set; } = "tests";

        public string ContentRootPath { get; set; } = root;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
