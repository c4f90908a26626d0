using AiServer.AppHost.Hosting;

namespace AiServer.AppHost.Projects;

/// <summary>The background workers project.</summary>
public sealed class AiServer_Workers : IProjectMetadata
{
    /// <inheritdoc />
    public string ProjectPath => "AiServer.Workers/AiServer.Workers.csproj";
}
