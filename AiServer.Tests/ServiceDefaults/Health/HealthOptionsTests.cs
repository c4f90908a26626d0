using AiServer.ServiceDefaults;
using AiServer.ServiceDefaults.Health;
using AiServer.ServiceDefaults.Hosting;
using AiServer.ServiceDefaults.Logging;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiServer.Tests.ServiceDefaults.Health;

public sealed class HealthOptionsTests
{
    [Fact]
    public void Defaults_NoConfiguration_AreTheDocumentedValues()
    {
        using var services = Build([]);

        var fs = services.GetRequiredService<IOptions<FileSystemHealthOptions>>().Value;
        var memory = services.GetRequiredService<IOptions<MemoryHealthOptions>>().Value;
        var shutdown = services.GetRequiredService<IOptions<ShutdownOptions>>().Value;
        var file = services.GetRequiredService<IOptions<FileLoggerOptions>>().Value;

        Assert.Equal(("data", 1L << 30, 100L << 20), (fs.DataPath, fs.DegradedFreeBytes, fs.UnhealthyFreeBytes));
        Assert.Equal((1L << 30, 2L << 30), (memory.DegradedResidentBytes, memory.UnhealthyResidentBytes));
        Assert.Equal((TimeSpan.Zero, TimeSpan.FromSeconds(30)), (shutdown.ReadinessDelay, shutdown.DrainTimeout));
        Assert.Equal(("logs/app.log", 10L << 20, 5), (file.Path, file.MaxFileSizeBytes, file.MaxRetainedFiles));
        Assert.True(new FileLoggerOptions().Enabled);
    }

    [Theory]
    [InlineData("Health:Memory:DegradedResidentBytes", "0", "Health:Memory:DegradedResidentBytes: The field DegradedResidentBytes must be between 1 and")]
    [InlineData("Health:Memory:UnhealthyResidentBytes", "1000", "Health:Memory:UnhealthyResidentBytes (1000) must be at least Health:Memory:DegradedResidentBytes")]
    [InlineData("Health:FileSystem:UnhealthyFreeBytes", "999999999999", "Health:FileSystem:UnhealthyFreeBytes (999999999999) must not exceed Health:FileSystem:DegradedFreeBytes")]
    [InlineData("Health:FileSystem:DataPath", "", "Health:FileSystem:DataPath: The DataPath field is required.")]
    [InlineData("Shutdown:DrainTimeout", "02:00:00", "Shutdown:DrainTimeout: The field DrainTimeout must be between 00:00:00 and 01:00:00.")]
    [InlineData("Logging:File:MaxRetainedFiles", "500", "Logging:File:MaxRetainedFiles: The field MaxRetainedFiles must be between 0 and 100.")]
    public void Validation_InvalidValue_FailsAtStartNamingTheKey(string key, string value, string expectedMessage)
    {
        using var services = Build(new Dictionary<string, string?> { [key] = value });

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expectedMessage, ex.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration["Logging:File:Enabled"] = "false";
        builder.AddServiceDefaults();
        return builder.Services.BuildServiceProvider();
    }
}
