using AiServer.ServiceDefaults.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiServer.Tests.ServiceDefaults.Logging;

public sealed class FileLoggerProviderTests
{
    [Fact]
    public async Task Log_ErrorWithException_WritesGreppableLineWithLevelCategoryAndStack()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("aiserver-log-").FullName, "logs", "app.log");
        var provider = new FileLoggerProvider(Options.Create(new FileLoggerOptions { Path = path }), TimeProvider.System);
        var logger = provider.CreateLogger("AiServer.Jobs");

        logger.LogError(new EventId(42), new InvalidOperationException("provider said no"), "Job {JobId} failed", "j-1");
        logger.LogInformation("All good");
        provider.Dispose();

        var lines = await File.ReadAllLinesAsync(path, TestContext.Current.CancellationToken);
        var error = Assert.Single(lines, l => l.Contains(" ERROR ", StringComparison.Ordinal));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z ERROR \[AiServer\.Jobs\[42\]\] Job j-1 failed$", error);
        Assert.Contains(lines, l => l.Contains("System.InvalidOperationException: provider said no", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" INFO  [AiServer.Jobs] All good", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Log_PastMaxFileSize_RollsAndKeepsAtMostMaxRetainedFiles()
    {
        var dir = Directory.CreateTempSubdirectory("aiserver-log-").FullName;
        var path = Path.Combine(dir, "app.log");
        var provider = new FileLoggerProvider(
            Options.Create(new FileLoggerOptions { Path = path, MaxFileSizeBytes = 4096, MaxRetainedFiles = 2 }), TimeProvider.System);
        var logger = provider.CreateLogger("Roll");

        for (var i = 0; i < 400; i++)
        {
            logger.LogWarning("line {Index} {Padding}", i, new string('x', 60));
        }

        provider.Dispose();

        var files = Directory.GetFiles(dir).Select(f => Path.GetFileName(f)!).Order().ToArray();
        Assert.Equal(["app.1.log", "app.2.log", "app.log"], files);
        Assert.All(Directory.GetFiles(dir), f => Assert.True(new FileInfo(f).Length <= 4096 + 200, $"{f} is {new FileInfo(f).Length} bytes"));
        var last = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        Assert.Contains("line 399 ", last, StringComparison.Ordinal);
    }
}
