using System.Collections.Concurrent;
using System.Diagnostics;

namespace AiServer.Tests.Infrastructure;

/// <summary>A real child process of the test (a built service or the AppHost) with its output kept for failure messages.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Process _process;

    private ServiceProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output => string.Join(Environment.NewLine, _output);

    public static ServiceProcess StartDll(string dll, IDictionary<string, string> environment, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.CreateTempSubdirectory("aiserver-proc-").FullName,
        };
        start.ArgumentList.Add(dll);
        foreach (var key in new[] { "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT" })
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var result = new ServiceProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) result._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) result._output.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    public void Terminate() => Signals.Terminate(_process.Id);

    public void Kill() => _process.Kill(entireProcessTree: false);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Process {_process.Id} did not exit within {timeout.TotalSeconds:0} s. Output:{Environment.NewLine}{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Waits until <c>{baseUri}health/ready</c> answers 200, failing at once (with the output) if the process exits.</summary>
    public async Task WaitReadyAsync(Uri baseUri, string name, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(5) };
        await Wait.UntilAsync(
            async () =>
            {
                if (HasExited)
                {
                    Assert.Fail($"{name} exited with {ExitCode}:{Environment.NewLine}{Output}");
                }

                try
                {
                    using var response = await http.GetAsync("health/ready");
                    return response.IsSuccessStatusCode;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            },
            timeout,
            () => $"{name} to be ready. Output:{Environment.NewLine}{Output}");
    }

    public async Task WaitForOutputAsync(string text, TimeSpan timeout) =>
        await Wait.UntilAsync(() => _output.Any(l => l.Contains(text, StringComparison.Ordinal)) || _process.HasExited, timeout, () => $"'{text}' in the output of process {_process.Id}. Output so far:{Environment.NewLine}{Output}");

    public static bool IsAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            if (p.HasExited)
            {
                return false;
            }

            // A zombie (exited, not yet reaped by its new parent) is gone for our purposes.
            var status = $"/proc/{pid}/status";
            return !File.Exists(status) || !File.ReadLines(status).Any(l => l.StartsWith("State:", StringComparison.Ordinal) && l.Contains('Z', StringComparison.Ordinal));
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
