using AiServer.AppHost.Hosting;
using AiServer.AppHost.Projects;

namespace AiServer.AppHost;

/// <summary>The resources of AiServer; shared by <see cref="Program"/> and the tests that start the whole model.</summary>
public static class AppModel
{
    /// <summary>Declares redis, the admin token, api (2 replicas) and workers.</summary>
    public static DistributedApplicationBuilder Declare(DistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var redis = builder.AddRedis("redis");
        var adminToken = builder.AddParameter("admin-token", secret: true);

        builder.AddProject<AiServer_Api>("api")
            .WithReplicas(2)
            .WithEnvironment("Admin__Token", adminToken)
            .WithReference(redis)
            .WaitFor(redis)
            .WithHttpHealthCheck("/health/ready");

        builder.AddProject<AiServer_Workers>("workers")
            .WithEnvironment("Admin__Token", adminToken)
            .WithReference(redis)
            .WaitFor(redis)
            .WithHttpHealthCheck("/health/ready");

        return builder;
    }
}
