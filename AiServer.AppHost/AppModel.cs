using AiServer.AppHost.Hosting;
using AiServer.AppHost.Projects;

namespace AiServer.AppHost;

/// <summary>The resources of AiServer; shared by <see cref="Program"/> and the tests that start the whole model.</summary>
public static class AppModel
{
    /// <summary>Declares redis, api (2 replicas) and workers.</summary>
    public static DistributedApplicationBuilder Declare(DistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var redis = builder.AddRedis("redis");

        builder.AddProject<AiServer_Api>("api")
            .WithReplicas(2)
            .WithReference(redis)
            .WaitFor(redis)
            .WithHttpHealthCheck("/health/ready");

        builder.AddProject<AiServer_Workers>("workers")
            .WithReference(redis)
            .WaitFor(redis)
            .WithHttpHealthCheck("/health/ready");

        return builder;
    }
}
