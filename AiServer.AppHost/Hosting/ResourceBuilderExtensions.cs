using System.Globalization;

namespace AiServer.AppHost.Hosting;

/// <summary>Aspire's resource verbs: replicas, references, start order, health probe, environment.</summary>
public static class ResourceBuilderExtensions
{
    /// <summary>Runs <paramref name="replicas"/> processes of the resource.</summary>
    public static IResourceBuilder<T> WithReplicas<T>(this IResourceBuilder<T> builder, int replicas)
        where T : ExecutableResource
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        builder.Resource.Replicas = replicas;
        return builder;
    }

    /// <summary>Injects the referenced resource's connection string or service endpoints.</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> source)
        where T : ExecutableResource
    {
        builder.Resource.References.Add(source.Resource);
        return builder;
    }

    /// <summary>Starts the resource only once <paramref name="dependency"/> is healthy.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency)
        where T : ExecutableResource
    {
        builder.Resource.WaitsFor.Add(dependency.Resource);
        return builder;
    }

    /// <summary>A replica is healthy when <paramref name="path"/> answers 200.</summary>
    public static IResourceBuilder<T> WithHttpHealthCheck<T>(this IResourceBuilder<T> builder, string path = "/health")
        where T : ExecutableResource
    {
        builder.Resource.HealthCheckPath = path;
        return builder;
    }

    /// <summary>Sets an environment variable for every replica.</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value)
        where T : ExecutableResource
    {
        builder.Resource.Environment[name] = value;
        return builder;
    }

    /// <summary>Sets an environment variable for every replica to a parameter's value.</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, IResourceBuilder<ParameterResource> parameter)
        where T : ExecutableResource =>
        builder.WithEnvironment(name, parameter.Resource.Value);

    /// <summary>Sets an environment variable for every replica.</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, int value)
        where T : ExecutableResource =>
        builder.WithEnvironment(name, value.ToString(CultureInfo.InvariantCulture));
}
