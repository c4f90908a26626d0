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
    public async Task Log_ControlCharactersInUserText_AreEscapedSoTheFileStaysGreppableText()
    {
        // Arrange: a forced-open reason with a NUL, an escape sequence and a forged second line.
        var path = Path.Combine(Directory.CreateTempSubdirectory("aiserver-log-").FullName, "logs", "app.log");
        var provider = new FileLoggerProvider(Options.Create(new FileLoggerOptions { Path = path }), TimeProvider.System);
        var logger = provider.CreateLogger("AiServer.Resilience");

        // Act
        logger.LogError("Manual action: force-open by {Reason}", "ops\0\u001b[31m\rERROR forged\ttab\u007f");
        logger.LogError(new InvalidOperationException("bad\0byte"), "Failed");
        provider.Dispose();

        // Assert: no control character but newline and tab reaches the file, and the escapes say what was there.
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(bytes, b => b < 0x20 && b != (byte)'\n' && b != (byte)'\t' || b == 0x7f);
        var lines = await File.ReadAllLinesAsync(path, TestContext.Current.CancellationToken);
        Assert.Contains(lines, l => l.EndsWith("Manual action: force-open by ops\\u0000\\u001b[31m ERROR forged\ttab\\u007f", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("System.InvalidOperationException: bad\\u0000byte", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Log_FolderRemovedWhileRunning_RecoversAndKeepsWriting()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("aiserver-log-").FullName, "logs");
        var path = Path.Combine(dir, "app.log");
        // A tiny size limit makes every line roll, so the removed folder surfaces as an I/O error in the writer.
        var provider = new FileLoggerProvider(
            Options.Create(new FileLoggerOptions { Path = path, MaxFileSizeBytes = 10, MaxRetainedFiles = 1 }), TimeProvider.System);
        var logger = provider.CreateLogger("Recover");
        logger.LogWarning("first");
        await Infrastructure.Wait.UntilAsync(() => File.Exists(Path.Combine(dir, "app.1.log")), TimeSpan.FromSeconds(10), "the first line to be written and rolled");

        Directory.Delete(dir, recursive: true);
        logger.LogWarning("second");
        await Infrastructure.Wait.UntilAsync(() => provider.WriteErrors > 0, TimeSpan.FromSeconds(10), "the writer to hit the removed folder");
        logger.LogWarning("third");

        await Infrastructure.Wait.UntilAsync(
            () => Directory.Exists(dir) && Directory.GetFiles(dir).Any(f => File.ReadAllText(f).Contains("third", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(15), "the line logged after the failure to reach a recreated log file");
        provider.Dispose();
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
