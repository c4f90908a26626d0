using System.Diagnostics;

namespace AiServer.Tests.Infrastructure;

/// <summary>Runs Prometheus' <c>promtool</c> (installed by test.sh) on a scrape.</summary>
public static class Promtool
{
    /// <summary>
    /// What promtool's lint says of the seeds' own metric names, which the seeds' alerts read and so stay as they are
    /// (docs/observability.md): <c>database_response_time_ms</c> spells its unit short.
    /// </summary>
    public static readonly string[] SeedNameFindings = ["database_response_time_ms metric names should not contain abbreviated units"];

    /// <summary>promtool's findings on a scrape, less <see cref="SeedNameFindings"/>; empty when the scrape is clean.</summary>
    public static async Task<string> LintMetricsAsync(string scrape, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await CheckMetricsAsync(scrape, cancellationToken);
        var findings = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !SeedNameFindings.Contains(l)).ToList();
        return exitCode is 0 or 3 ? string.Join('\n', findings) : $"promtool exited {exitCode}: {output}";
    }

    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string scrape, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("promtool", "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start; test.sh installs the 'prometheus' package.");
        await process.StandardInput.WriteAsync(scrape.AsMemory(), cancellationToken);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
