using System.Globalization;

namespace AiServer.Tests.Infrastructure;

/// <summary>Parent/child relations of processes, read from /proc (Linux).</summary>
internal static class ProcessTree
{
    /// <summary>The direct children of a process.</summary>
    public static IReadOnlyList<int> Children(int pid) =>
        [.. All().Where(p => p.ParentId == pid).Select(p => p.Id)];

    /// <summary>Every descendant of a process, children first.</summary>
    public static IReadOnlyList<int> Descendants(int pid)
    {
        var all = All();
        var result = new List<int>();
        var queue = new Queue<int>([pid]);
        while (queue.TryDequeue(out var parent))
        {
            foreach (var child in all.Where(p => p.ParentId == parent).Select(p => p.Id))
            {
                result.Add(child);
                queue.Enqueue(child);
            }
        }

        return result;
    }

    /// <summary>The command line of a process, or null when it is gone.</summary>
    public static string? CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static List<(int Id, int ParentId)> All()
    {
        var result = new List<(int, int)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                continue;
            }

            try
            {
                // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so split after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                result.Add((id, int.Parse(fields[1], CultureInfo.InvariantCulture)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
            {
                // The process ended while we read it.
            }
        }

        return result;
    }
}
