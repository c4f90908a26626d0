namespace AiServer.AppHost.Hosting;

/// <summary>How the AppHost runs: folders, timeouts and where child output goes.</summary>
public sealed class DistributedApplicationOptions
{
    /// <summary>The solution folder, where project paths are resolved. Defaults to the folder the AppHost was built from.</summary>
    public string? SolutionDirectory { get; set; }

    /// <summary>The build configuration of the projects' outputs. Defaults to the AppHost's own.</summary>
    public string? Configuration { get; set; }

    /// <summary>Children's working directory; <c>.aiserver/</c> (Redis data) and <c>logs/</c> go here. Defaults to the current directory.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>How long a resource may take to become healthy.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>How long children get between SIGTERM and SIGKILL.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Restart resources that exit on their own.</summary>
    public bool RestartCrashedResources { get; set; } = true;

    /// <summary>The environment name given to children (ASPNETCORE_ENVIRONMENT / DOTNET_ENVIRONMENT).</summary>
    public string EnvironmentName { get; set; } = "Development";

    /// <summary>Where prefixed child output and AppHost messages go; null = console.</summary>
    public Action<string>? Output { get; set; }

    /// <summary>Extra configuration (as environment variables would give it), e.g. <c>ConnectionStrings:redis</c>.</summary>
    public Dictionary<string, string?> Settings { get; } = new(StringComparer.OrdinalIgnoreCase);
}
