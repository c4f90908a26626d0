using AiServer.AppHost.Hosting;

namespace AiServer.AppHost.Projects;

/// <summary>The HTTP API project.</summary>
public sealed class AiServer_Api : IProjectMetadata
{
    /// <inheritdoc />
    public string ProjectPath => "AiServer.Api/AiServer.Api.csproj";
}
