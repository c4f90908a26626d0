using System.Runtime.InteropServices;

namespace AiServer.Tests.Infrastructure;

/// <summary>POSIX signals for the processes a test drives (SIGTERM for a graceful stop, SIGSTOP/SIGCONT to freeze).</summary>
internal static partial class Signals
{
    public const int Sigterm = 15;
    public const int Sigkill = 9;

    public static bool Send(int pid, int signal) => Kill(pid, signal) == 0;

    public static bool Terminate(int pid) => Send(pid, Sigterm);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
