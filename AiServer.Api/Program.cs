using AiServer.Providers;
using AiServer.ServiceDefaults;
using AiServer.ServiceDefaults.Redis;
using AiServer.ServiceDefaults.Resilience;

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

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapCircuitBreakerAdminApi();
        app.Run();
    }
}
