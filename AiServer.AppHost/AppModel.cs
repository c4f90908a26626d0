using AiServer.AppHost.Hosting;
using AiServer.AppHost.Projects;

namespace AiServer.AppHost;

/// <summary>The resources of AiServer; shared by <see cref="Program"/> and the tests that start the whole model.</summary>
public static class AppModel
{
    /// <summary>Declares redis, the admin token, the provider emulator (when a provider has no key), api (2 replicas) and workers.</summary>
    public static DistributedApplicationBuilder Declare(DistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var redis = builder.AddRedis("redis");
        var adminToken = builder.AddParameter("admin-token", secret: true);

        // The outside world, locally: started when any provider has no real key configured.
        IResourceBuilder<ProjectResource>? providers = null;
        if (ProviderEmulatorExtensions.ProvidersWithoutKey(builder.Configuration).Count > 0)
        {
            providers = builder.AddProject<AiServer_ProviderEmulator>("providers").WithHttpHealthCheck("/health");
        }

        var api = builder.AddProject<AiServer_Api>("api")
            .WithReplicas(2)
            .WithEnvironment("Admin__Token", adminToken)
            .WithReference(redis)
            .WaitFor(redis)
            .WithHttpHealthCheck("/health/ready");

        var workers = builder.AddProject<AiServer_Workers>("workers")
            .WithEnvironment("Admin__Token", adminToken)
            .WithReference(redis)
            .WaitFor(redis)
            .WithHttpHealthCheck("/health/ready");

        if (providers is not null)
        {
            api.WithProviderEmulator(providers).WaitFor(providers);
            workers.WithProviderEmulator(providers).WaitFor(providers);
        }

        return builder;
    }
}
