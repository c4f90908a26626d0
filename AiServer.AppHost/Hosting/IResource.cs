namespace AiServer.AppHost.Hosting;

/// <summary>A resource of the distributed application: a process (or an external service) with a name.</summary>
public interface IResource
{
    /// <summary>The resource name; also its service-discovery and connection-string name.</summary>
    string Name { get; }
}
