using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace AiServer.AppHost.Hosting;

/// <summary>
/// One process of a resource: started in its own session (so a terminal's Ctrl+C reaches the AppHost alone and the
/// AppHost decides the order of shutdown), its output streamed with a <c>[name-i]</c> prefix and kept for diagnostics,
/// stopped with SIGTERM then SIGKILL, and watched by a companion shell that terminates it if the AppHost dies.
/// </summary>
public sealed class Replica
{
    private const int KeptLines = 400;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Action<string> _output;
    private readonly Func<ProcessStartInfo> _startInfo;
    private Process? _process;
    private Process? _watchdog;
    private volatile bool _stopping;
    private volatile bool _stopped;

    internal Replica(ExecutableResource resource, int index, Uri? endpoint, Func<ProcessStartInfo> startInfo, Action<string> output)
    {
        Resource = resource;
        Index = index;
        Endpoint = endpoint;
        _startInfo = startInfo;
        _output = output;
        Name = resource.Replicas > 1 || resource is ProjectResource
            ? $"{resource.Name}-{index.ToString(CultureInfo.InvariantCulture)}"
            : resource.Name;
    }

    /// <summary>The resource this replica runs.</summary>
    public ExecutableResource Resource { get; }

    /// <summary>The replica's index within its resource.</summary>
    public int Index { get; }

    /// <summary>Display name, e.g. <c>api-1</c>.</summary>
    public string Name { get; }

    /// <summary>The HTTP endpoint of a project replica.</summary>
    public Uri? Endpoint { get; }

    /// <summary>The current process id, or 0.</summary>
    public int ProcessId { get; private set; }

    /// <summary>Every process id this replica has had (restarts add one).</summary>
    public ConcurrentBag<int> ProcessIds { get; } = [];

    /// <summary>The replica's state.</summary>
    public ReplicaState State { get; internal set; } = ReplicaState.Pending;

    /// <summary>How often the replica was restarted after exiting on its own.</summary>
    public int Restarts { get; internal set; }

    /// <summary>Raised when the process exits while the AppHost did not ask it to.</summary>
    internal event Action<Replica, int>? UnexpectedExit;

    /// <summary>The last lines the replica printed.</summary>
    public IReadOnlyList<string> RecentOutput => [.. _lines];

    internal bool HasExited => _process is null || _process.HasExited;

    internal void Start()
    {
        if (_stopped)
        {
            throw new InvalidOperationException($"{Name} was stopped; it is not started again.");
        }

        _stopping = false;
        var start = _startInfo();
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        WrapInNewSession(start);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => OnExited(process);
        if (!process.Start())
        {
            throw new DistributedApplicationException($"Could not start {Name} ({start.FileName}).");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        ProcessId = process.Id;
        ProcessIds.Add(process.Id);
        State = ReplicaState.Starting;
        StartWatchdog(process.Id);
    }

    internal async Task StopAsync(TimeSpan timeout)
    {
        _stopped = true;
        _stopping = true;
        var process = _process;
        if (process is not null && !process.HasExited)
        {
            Signals.Terminate(process.Id);
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _output($"[apphost] {Name} did not stop within {timeout.TotalSeconds:0} s; killing it");
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        StopWatchdog();
        State = ReplicaState.Stopped;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        while (_lines.Count > KeptLines && _lines.TryDequeue(out _))
        {
        }

        _output($"[{Name}] {line}");
    }

    private void OnExited(Process process)
    {
        if (_stopping || !ReferenceEquals(process, _process))
        {
            return;
        }

        int code;
        try
        {
            code = process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            code = -1;
        }

        StopWatchdog();
        UnexpectedExit?.Invoke(this, code);
    }

    private static void WrapInNewSession(ProcessStartInfo start)
    {
        // setsid(1) execs the program in a new session: same pid, but a terminal's SIGINT no longer reaches it.
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/setsid"))
        {
            return;
        }

        var args = start.ArgumentList.ToList();
        start.ArgumentList.Clear();
        start.ArgumentList.Add(start.FileName);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.FileName = "/usr/bin/setsid";
    }

    private void StartWatchdog(int childPid)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        // Terminates the child if the AppHost dies without stopping it (killed, crashed): no orphan outlives it.
        // A zombie still answers kill -0, so "alive" also looks at /proc where there is one. The watchdog ignores the
        // terminal's SIGINT and SIGHUP and runs in its own session: Ctrl+C or a closed terminal must not take it
        // down before the AppHost has stopped its child.
        const string script =
            "trap '' INT HUP; " +
            "alive() { kill -0 \"$1\" 2>/dev/null && ! grep -qs '^State:[[:space:]]*Z' /proc/$1/status; }; " +
            "while alive \"$1\" && alive \"$2\"; do sleep 0.5; done; " +
            "if alive \"$2\"; then kill -TERM \"$2\"; i=0; while alive \"$2\" && [ $i -lt 20 ]; do sleep 0.5; i=$((i+1)); done; " +
            "alive \"$2\" && kill -KILL \"$2\"; fi; exit 0";
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var a in new[] { "-c", script, "aiserver-watchdog", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), childPid.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(a);
        }

        WrapInNewSession(start);

        _watchdog = Process.Start(start);
    }

    private void StopWatchdog()
    {
        var watchdog = Interlocked.Exchange(ref _watchdog, null);
        if (watchdog is null)
        {
            return;
        }

        try
        {
            if (!watchdog.HasExited)
            {
                watchdog.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        watchdog.Dispose();
    }
}
