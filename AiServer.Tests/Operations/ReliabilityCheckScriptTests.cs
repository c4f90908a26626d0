using System.Diagnostics;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.Operations;

/// <summary>scripts/reliability-check.sh run as an operator runs it, against a running api and against a dead URL.</summary>
[Collection(PrometheusFleetCollection.Name)]
public sealed class ReliabilityCheckScriptTests(PrometheusFleetFixture fleet)
{
    [Fact]
    public async Task Script_HealthyApi_ReportsEveryCheckAndExitsZero()
    {
        // Arrange
        await fleet.WaitAllHealthyAsync();

        // Act
        var (exitCode, output) = await RunAsync(fleet.ApiUrls[0].ToString());

        // Assert
        Assert.True(exitCode == 0, $"exit {exitCode}, expected 0:{Environment.NewLine}{output}");
        foreach (var expected in new[] { "OK    /health 200", "OK    /health/live 200", "OK    /health/ready 200", "promtool check metrics: clean", "sync: fleet", "HEALTHY" })
        {
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }

        foreach (var check in new[] { "filesystem", "memory", "redis", "breaker-sync", "replicate", "supabase", "elevenlabs", "synclabs", "huggingface", "bfl" })
        {
            Assert.Matches($@"OK    {check} +healthy", output);
        }

        foreach (var breaker in new[] { "replicate", "supabase", "elevenlabs", "synclabs", "huggingface", "bfl", "file-download" })
        {
            Assert.Matches($@"OK    {breaker} +CLOSED", output);
        }
    }

    [Fact]
    public async Task Script_SlowThresholdBelowEveryCheck_NamesSlowChecksAndExitsTwo()
    {
        // Arrange
        await fleet.WaitAllHealthyAsync();

        // Act: a threshold every check exceeds.
        var (exitCode, output) = await RunAsync(fleet.WorkersUrl.ToString(), ("RELIABILITY_CHECK_SLOW_MS", "-1"));

        // Assert
        Assert.True(exitCode == 2, $"exit {exitCode}, expected 2 (warnings only):{Environment.NewLine}{output}");
        Assert.Matches(@"slow checks: .*filesystem \(", output);
        Assert.Matches(@"WARN  redis +healthy .*\(slow\)", output);
        Assert.Contains("DEGRADED", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Script_BreakerForcedOpen_NamesTheOpenBreakerAndExitsTwo()
    {
        // Arrange
        await fleet.WaitAllHealthyAsync();
        await fleet.AdminPostAsync("admin/circuit-breakers/synclabs/force-open?reason=script-drill");
        try
        {
            // The instance applies the fleet's new state within its 1 s resync (sooner through pub/sub).
            (int ExitCode, string Output) run = default;
            await Wait.UntilAsync(async () => (run = await RunAsync(fleet.ApiUrls[1].ToString())).Output.Contains("OPEN: synclabs", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60), () => $"the script to name synclabs OPEN. Last output:{Environment.NewLine}{run.Output}", TimeSpan.FromMilliseconds(500));

            // Assert
            Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}, expected 2 (warnings only):{Environment.NewLine}{run.Output}");
            Assert.Matches(@"WARN  synclabs +OPEN \(forced OPEN\): script-drill", run.Output);
            Assert.Matches(@"WARN  synclabs +degraded .*OPEN", run.Output);
        }
        finally
        {
            await fleet.AdminPostAsync("admin/circuit-breakers/synclabs/reset");
        }
    }

    [Fact]
    public async Task Script_DeadUrl_ReportsNoAnswerEverywhereAndExitsOne()
    {
        // Arrange: a port nothing listens on.
        var url = $"http://127.0.0.1:{FreePort.Next()}";

        // Act
        var (exitCode, output) = await RunAsync(url, ("RELIABILITY_CHECK_TIMEOUT", "5"));

        // Assert
        Assert.True(exitCode == 1, $"exit {exitCode}, expected 1:{Environment.NewLine}{output}");
        foreach (var path in new[] { "/health", "/health/live", "/health/ready", "/health/detailed", "/metrics", "/metrics/circuit-breakers" })
        {
            Assert.Contains($"FAIL  {path}: no answer", output, StringComparison.Ordinal);
        }

        Assert.Contains($"FAILED: 6 failure(s), 0 warning(s) at {url}", output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string url, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = SolutionPaths.Root,
        };
        start.ArgumentList.Add(Path.Combine(SolutionPaths.Root, "scripts", "reliability-check.sh"));
        start.ArgumentList.Add(url);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"reliability-check.sh {url} did not finish within 2 minutes. Output so far:{Environment.NewLine}{await stdout}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
