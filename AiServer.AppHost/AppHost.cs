using AiServer.AppHost;
using AiServer.AppHost.Breakers;
using AiServer.AppHost.Logging;
using AiServer.AppHost.Providers;
using AiServer.AppHost.Redis;
using AiServer.AppHost.Restarts;

var builder = DistributedApplication.CreateBuilder(args);

// Redis: the OS's redis-server locally (no container engine needed), Aspire's Redis container when published, or an
// existing Redis given as ConnectionStrings:redis.
var redis = builder.AddAiServerRedis("redis");

// The bearer token of /admin/*: generated, secret, printed once at start for local use.
var adminToken = builder.AddParameter("admin-token", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);

// The outside world, locally: the provider emulator serves every provider that has no real key.
var providers = builder.AddProviderEmulatorWhenNeeded("providers")?.WithRestartOnExit();

var api = Service(builder.AddProject<Projects.AiServer_Api>("api")
    .WithReplicas(2)
    .WithHttpEndpoint(port: builder.ExecutionContext.IsRunMode ? ApiPort.From(builder.Configuration) : null)
    .WithExternalHttpEndpoints());

Service(builder.AddProject<Projects.AiServer_Workers>("workers")
    .WithHttpEndpoint());

// Beyond Aspire: the fleet's circuit breakers as dashboard resources with Force open / Force close / Reset.
builder.AddCircuitBreakers(ProviderCatalog.Breakers, api, adminToken, redis);
builder.AddStartupBanner(api, adminToken);

builder.Build().Run();

// What every AiServer service gets: the admin token, Redis, the providers, readiness as its health, a file log per
// replica, and a restart when it crashes.
IResourceBuilder<ProjectResource> Service(IResourceBuilder<ProjectResource> project) => project
    .WithEnvironment("Admin__Token", adminToken)
    .WithRedis(redis)
    .WithProviders(providers)
    .WithHttpHealthCheck("/health/ready")
    .WithFileLog()
    .WithRestartOnExit();
