namespace AiServer.AppHost.Hosting;

/// <summary>A project the AppHost can run (Aspire generates these as <c>Projects.*</c>; ours are written by hand).</summary>
public interface IProjectMetadata
{
    /// <summary>The project's file, relative to the solution folder.</summary>
    string ProjectPath { get; }
}
