using System.Reflection;

namespace AiServer.Tests.Infrastructure;

/// <summary>Where the solution and the projects' build outputs are, for tests that start real processes.</summary>
public static class SolutionPaths
{
    private static readonly Lazy<string> s_root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AiServer.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException($"AiServer.sln not found above {AppContext.BaseDirectory}.");
    });

    public static string Root => s_root.Value;

    public static string Configuration =>
        typeof(SolutionPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The built dll of a project of the solution, e.g. <c>AiServer.Api</c>.</summary>
    public static string ProjectDll(string project)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build the solution in {Configuration} first.", path);
    }
}
