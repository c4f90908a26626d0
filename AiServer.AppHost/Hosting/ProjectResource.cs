namespace AiServer.AppHost.Hosting;

/// <summary>A .NET project of the solution, run from its build output with one HTTP endpoint per replica.</summary>
public sealed class ProjectResource(string name, IProjectMetadata project) : ExecutableResource(name)
{
    /// <summary>Where the project lives and how it was built.</summary>
    public IProjectMetadata Project { get; } = project;

    /// <summary>The replicas' HTTP endpoints, known once the application has allocated ports.</summary>
    public IReadOnlyList<Uri> HttpEndpoints => AllocatedEndpoints;

    internal List<Uri> AllocatedEndpoints { get; } = [];
}
