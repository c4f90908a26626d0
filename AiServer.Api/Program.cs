using AiServer.Api.Apis;
using AiServer.Api.Auth;
using AiServer.Api.OpenApi;
using AiServer.Jobs;
using AiServer.Providers;
using AiServer.ServiceDefaults;
using AiServer.ServiceDefaults.Redis;
using AiServer.ServiceDefaults.Resilience;
using Scalar.AspNetCore;

namespace AiServer.Api;

/// <summary>The HTTP API: job endpoints, breaker control and the default health and metrics endpoints.</summary>
internal sealed class Program
{
    private Program()
    {
    }

    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.AddAiServerRedisClient("redis");
        builder.AddAiProviders();
        builder.AddJobs();
        builder.AddJobQueueMetrics();
        builder.AddJobCompletion(JobView.Renderer);
        builder.AddApiKeys();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(options => options.AddOperationTransformer<JobExamplesTransformer>());

        var app = builder.Build();
        app.UseRateLimiter();
        app.MapDefaultEndpoints();
        app.MapCircuitBreakerAdminApi();
        app.MapJobsApi();
        app.MapDeadLettersApi();
        app.MapProviderWebhooksApi();
        app.MapClientWebhooksApi();
        app.MapOutboxApi();
        app.MapOpenApi();
        app.MapScalarApiReference();
        app.Run();
    }
}
