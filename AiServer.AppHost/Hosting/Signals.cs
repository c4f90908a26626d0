using System.Runtime.InteropServices;

namespace AiServer.AppHost.Hosting;

/// <summary>POSIX signals to child processes (.NET's Process.Kill only sends SIGKILL).</summary>
internal static partial class Signals
{
    private const int Sigterm = 15;

    /// <summary>Asks a process to stop gracefully; false when it no longer exists or signals are unsupported.</summary>
    public static bool Terminate(int pid)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return false;
        }

        return Kill(pid, Sigterm) == 0;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
