using AiServer.AppHost.Hosting;

namespace AiServer.AppHost.Projects;

/// <summary>The provider emulator project.</summary>
public sealed class AiServer_ProviderEmulator : IProjectMetadata
{
    /// <inheritdoc />
    public string ProjectPath => "AiServer.ProviderEmulator/AiServer.ProviderEmulator.csproj";
}
