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

// The client API key of the job routes: generated, secret, printed once at start for local use.
var apiKey = builder.AddParameter("api-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);

// The outside world, locally: the provider emulator serves every provider that has no real key. The training
// destination of the README's model-training example exists there from the start.
var providers = builder.AddProviderEmulatorWhenNeeded("providers")?
    .WithEnvironment("Emulator__Replicate__Models__0", "aiserver/trained")
    .WithRestartOnExit();

// Job outputs: written by the workers, served by the api, so one folder for all (a shared volume when deployed).
var outputs = Path.GetFullPath(builder.Configuration["Jobs:OutputPath"] ?? Path.Combine(builder.AppHostDirectory, "..", ".aiserver", "outputs"));

var api = Service(builder.AddProject<Projects.AiServer_Api>("api")
    .WithReplicas(2)
    .WithHttpEndpoint(port: builder.ExecutionContext.IsRunMode ? ApiPort.From(builder.Configuration) : null)
    .WithExternalHttpEndpoints())
    .WithEnvironment("Auth__ApiKeys__0", apiKey);

// The worker pools: one AiServer.Workers process each, running the kinds it names.
IResourceBuilder<ProjectResource>[] pools =
[
    WorkerPool("training-worker", JobPools.Training),
    WorkerPool("speech-worker", JobPools.Speech),
    WorkerPool("lipsync-worker", JobPools.LipSync),
];

// Provider webhooks come back to the api (locally through DCP's proxy, which spreads them over the replicas); a
// local client webhook receiver (Webhooks:LocalReceiver, host:port) is let through the SSRF rules in run mode.
if (builder.ExecutionContext.IsRunMode)
{
    var publicBase = ReferenceExpression.Create($"{api.GetEndpoint("http")}/");
    foreach (var service in pools.Prepend(api))
    {
        service.WithEnvironment("Webhooks__PublicBaseUrl", publicBase);
    }

    if (builder.Configuration["Webhooks:LocalReceiver"] is { Length: > 0 } receiver)
    {
        api.WithEnvironment("Providers__FileDownload__AllowedHosts__1", receiver);
    }
}

// Beyond Aspire: the fleet's circuit breakers as dashboard resources with Force open / Force close / Reset.
builder.AddCircuitBreakers(ProviderCatalog.Breakers, api, adminToken, redis);
builder.AddStartupBanner(api, adminToken, apiKey);

builder.Build().Run();

IResourceBuilder<ProjectResource> WorkerPool(string name, IReadOnlyList<string> kinds)
{
    var pool = Service(builder.AddProject<Projects.AiServer_Workers>(name).WithHttpEndpoint());
    for (var i = 0; i < kinds.Count; i++)
    {
        pool.WithEnvironment($"Workers__Kinds__{i}", kinds[i]);
    }

    return pool;
}

// What every AiServer service gets: the admin token, Redis, the providers, readiness as its health, a file log per
// replica, and a restart when it crashes.
IResourceBuilder<ProjectResource> Service(IResourceBuilder<ProjectResource> project) => project
    .WithEnvironment("Admin__Token", adminToken)
    .WithRedis(redis)
    .WithProviders(providers)
    .WithHttpHealthCheck("/health/ready")
    .WithFileLog()
    .WithRestartOnExit()
    .WithEnvironment(context =>
    {
        if (builder.ExecutionContext.IsRunMode)
        {
            context.EnvironmentVariables["Jobs__OutputPath"] = outputs;
        }
    });
