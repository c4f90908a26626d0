namespace AiServer.AppHost.Hosting;

/// <summary>A resource run as local processes: its replicas, dependencies, environment and health probe.</summary>
public abstract class ExecutableResource(string name) : IResource
{
    /// <inheritdoc />
    public string Name { get; } = name;

    /// <summary>How many processes run this resource.</summary>
    public int Replicas { get; internal set; } = 1;

    /// <summary>Resources that must be healthy before this one starts.</summary>
    public List<IResource> WaitsFor { get; } = [];

    /// <summary>Resources whose connection details are injected into this one.</summary>
    public List<IResource> References { get; } = [];

    /// <summary>Extra environment variables.</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>Environment computed at start, once every endpoint is allocated (e.g. URLs of other resources).</summary>
    public List<Action<IDictionary<string, string?>>> EnvironmentCallbacks { get; } = [];

    /// <summary>The HTTP path that answers 200 when a replica is ready; null = ready once started.</summary>
    public string? HealthCheckPath { get; internal set; }
}
