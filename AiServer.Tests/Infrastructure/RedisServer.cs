using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace AiServer.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port in a temporary directory (no persistence), for tests.
/// Share one through the assembly fixture (take <see cref="RedisServer"/> in a test class constructor) and use unique
/// keys; a test that kills, restarts or pauses a server starts its own with <see cref="StartAsync"/>.
/// Every wait is bounded and its failure message carries the server's log.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private const int SigKill = 9;
    private const int SigCont = 18;
    private const int SigStop = 19;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly Lock _logLock = new();
    private readonly Queue<string> _log = new();
    private Process? _process;
    private bool _disposed;

    /// <summary>Creates a server without a password; it starts in <see cref="InitializeAsync"/> (xUnit fixtures).</summary>
    public RedisServer()
    {
        WorkingDirectory = Directory.CreateTempSubdirectory("aiserver-redis-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillProcess();
    }

    /// <summary>The password the server requires (<c>--requirepass</c>), or null.</summary>
    public string? Password { get; private set; }

    /// <summary>The loopback address the server listens on.</summary>
    public string Host => "127.0.0.1";

    /// <summary>The port; the same across <see cref="RestartAsync"/>.</summary>
    public int Port { get; private set; }

    /// <summary>The temporary directory the server runs in (deleted on dispose).</summary>
    public string WorkingDirectory { get; }

    /// <summary>The Aspire-format connection string, with the password when there is one.</summary>
    public string ConnectionString => Password is null ? $"{Host}:{Port}" : $"{Host}:{Port},password={Password}";

    /// <summary>The running server's process id, or null when killed.</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>The last lines of the server's output (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_logLock)
            {
                return string.Join(Environment.NewLine, _log);
            }
        }
    }

    /// <summary>Starts a dedicated server (optionally with a password) and waits until it answers.</summary>
    /// <param name="password">Required password, or null for none.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server; dispose it.</returns>
    public static async Task<RedisServer> StartAsync(string? password = null, CancellationToken cancellationToken = default)
    {
        var server = new RedisServer { Password = password };
        try
        {
            await server.StartOnFreePortAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync() => await StartOnFreePortAsync(CancellationToken.None);

    /// <summary>SIGKILL: the server dies at once (like a crash); connections see a reset. Waits for the exit.</summary>
    public void Kill()
    {
        Process? process = _process;
        if (process is null)
        {
            return;
        }

        KillProcess();
        if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"redis-server (pid {process.Id}) did not exit within 10 s of SIGKILL.");
        }

        process.Dispose();
        _process = null;
    }

    /// <summary>Kills the server if it runs and starts a new one on the same port (empty: nothing is persisted).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the new server answers.</returns>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        Kill();
        StartProcess();
        await WaitUntilReadyAsync(cancellationToken);
    }

    /// <summary>SIGSTOP: the server stops answering but keeps its connections open (a hung server).</summary>
    public void Pause() => Signal(SigStop);

    /// <summary>SIGCONT: the paused server resumes.</summary>
    public void Resume() => Signal(SigCont);

    /// <summary>Runs <c>redis-cli</c> against the server (with its password) and returns its output.</summary>
    /// <param name="args">The command and its arguments, e.g. <c>"SCRIPT", "FLUSH"</c>.</param>
    /// <returns>redis-cli's standard output, trimmed.</returns>
    public async Task<string> CliAsync(params string[] args)
    {
        var info = new ProcessStartInfo(File.Exists("/usr/bin/redis-cli") ? "/usr/bin/redis-cli" : "redis-cli")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])["-h", Host, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. args])
        {
            info.ArgumentList.Add(arg);
        }

        if (Password is not null)
        {
            info.Environment["REDISCLI_AUTH"] = Password;
        }

        using var cli = Process.Start(info) ?? throw new InvalidOperationException("Could not start redis-cli.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Task<string> output = cli.StandardOutput.ReadToEndAsync(timeout.Token);
        Task<string> error = cli.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await cli.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            cli.Kill();
            throw new TimeoutException($"redis-cli {string.Join(' ', args)} did not finish within 10 s.");
        }

        return (await output).Trim() + (await error).Trim();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return ValueTask.CompletedTask;
        }

        _disposed = true;
        Kill();
        try
        {
            Directory.Delete(WorkingDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the OS cleans the temp directory.
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The server's address and state.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"redis-server {Host}:{Port} (pid {ProcessId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"})";

    // DllImport rather than LibraryImport: the generated marshalling would need AllowUnsafeBlocks in the test project.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);
#pragma warning restore SYSLIB1054

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task StartOnFreePortAsync(CancellationToken cancellationToken)
    {
        // Another process can take the port between probing and binding; try a few.
        for (int attempt = 1; ; attempt++)
        {
            Port = FreePort();
            StartProcess();
            try
            {
                await WaitUntilReadyAsync(cancellationToken);
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && Log.Contains("Address already in use", StringComparison.Ordinal))
            {
                Kill();
            }
        }
    }

    private void StartProcess()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var info = new ProcessStartInfo(File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server" : "redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = WorkingDirectory,
        };
        string[] args =
        [
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", Host, "--save", string.Empty,
            "--appendonly", "no", "--dir", WorkingDirectory, "--daemonize", "no", "--logfile", string.Empty,
        ];
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        if (Password is not null)
        {
            info.ArgumentList.Add("--requirepass");
            info.ArgumentList.Add(Password);
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => AddLog(e.Data);
        process.ErrorDataReceived += (_, e) => AddLog(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException("Could not start redis-server; is it installed (apt-get install redis-server)?");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string lastProblem = "no attempt yet";
        while (clock.Elapsed < StartTimeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process is not { HasExited: false })
            {
                throw new InvalidOperationException($"redis-server on port {Port} exited during start-up. Log:{Environment.NewLine}{Log}");
            }

            try
            {
                using var client = new TcpClient();
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(1));
                await client.ConnectAsync(Host, Port, attempt.Token);
                NetworkStream stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray(), attempt.Token);
                byte[] buffer = new byte[64];
                int read = await stream.ReadAsync(buffer, attempt.Token);
                string reply = Encoding.ASCII.GetString(buffer, 0, read);
                if (reply.StartsWith("+PONG", StringComparison.Ordinal) || reply.StartsWith("-NOAUTH", StringComparison.Ordinal))
                {
                    return;
                }

                lastProblem = $"PING answered '{reply.Trim()}'";
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
            {
                lastProblem = ex.Message;
            }

            await Task.Delay(20, cancellationToken);
        }

        throw new TimeoutException(
            $"redis-server on port {Port} did not answer PING within {StartTimeout.TotalSeconds} s (last: {lastProblem}). Log:{Environment.NewLine}{Log}");
    }

    private void Signal(int signal)
    {
        int pid = ProcessId ?? throw new InvalidOperationException($"{this} is not running.");
        if (SysKill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    private void KillProcess()
    {
        try
        {
            if (_process is { HasExited: false } process)
            {
                // SIGKILL also ends a SIGSTOPped process; Process.Kill would do the same but this keeps it explicit.
                SysKill(process.Id, SigKill);
            }
        }
        catch (InvalidOperationException)
        {
            // The process object has no process any more.
        }
    }

    private void AddLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            _log.Enqueue(line);
            while (_log.Count > 200)
            {
                _log.Dequeue();
            }
        }
    }
}
