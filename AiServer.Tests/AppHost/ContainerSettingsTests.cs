using System.Diagnostics;
using System.Text.Json;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.AppHost;

/// <summary>
/// The container images azd builds for api and workers (`dotnet publish /t:PublishContainer`), checked offline: building
/// one needs the base image from a registry these machines cannot reach, so the SDK's computed settings are read instead.
/// </summary>
public sealed class ContainerSettingsTests
{
    [Theory]
    [InlineData("AiServer.Api", "aiserver-api")]
    [InlineData("AiServer.Workers", "aiserver-workers")]
    public async Task ComputeContainerConfig_Service_NonRootChiseledImageWithPortAndLabels(string project, string repository)
    {
        // Arrange + Act
        using var config = await ComputeAsync(project);
        var properties = config.RootElement.GetProperty("Properties");
        var items = config.RootElement.GetProperty("Items");

        // Assert
        Assert.Equal(repository, properties.GetProperty("ContainerRepository").GetString());
        Assert.Equal("app", properties.GetProperty("ContainerUser").GetString());
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", properties.GetProperty("ContainerBaseImage").GetString(), StringComparison.Ordinal);
        Assert.Contains("chiseled", properties.GetProperty("ContainerBaseImage").GetString(), StringComparison.Ordinal);
        Assert.Contains(items.GetProperty("ContainerPort").EnumerateArray(), p => p.GetProperty("Identity").GetString() == "8080" && p.GetProperty("Type").GetString() == "tcp");
        var labels = items.GetProperty("ContainerLabel").EnumerateArray().ToDictionary(l => l.GetProperty("Identity").GetString()!, l => l.GetProperty("Value").GetString());
        Assert.Equal(repository, labels["org.opencontainers.image.title"]);
        Assert.False(string.IsNullOrWhiteSpace(labels["org.opencontainers.image.description"]), "the image should describe itself");
    }

    private static async Task<JsonDocument> ComputeAsync(string project)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = SolutionPaths.Root,
        };
        foreach (var arg in new[]
        {
            "msbuild", Path.Combine(project, project + ".csproj"), "-nologo", "-t:ComputeContainerConfig", $"-p:Configuration={SolutionPaths.Configuration}",
            "-getProperty:ContainerRepository", "-getProperty:ContainerUser", "-getProperty:ContainerBaseImage", "-getItem:ContainerPort", "-getItem:ContainerLabel",
        })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet msbuild did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"ComputeContainerConfig on {project} exited {process.ExitCode}:{Environment.NewLine}{output}{await stderr}");
        return JsonDocument.Parse(output);
    }
}
