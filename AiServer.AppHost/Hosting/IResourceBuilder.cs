namespace AiServer.AppHost.Hosting;

/// <summary>Fluent configuration of one resource, as in Aspire.</summary>
/// <typeparam name="T">The resource type.</typeparam>
public interface IResourceBuilder<out T>
    where T : IResource
{
    /// <summary>The resource being configured.</summary>
    T Resource { get; }

    /// <summary>The application builder the resource belongs to.</summary>
    DistributedApplicationBuilder ApplicationBuilder { get; }
}
