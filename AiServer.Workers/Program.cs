using AiServer.Jobs;
using AiServer.Providers;
using AiServer.ServiceDefaults;
using AiServer.ServiceDefaults.Redis;

namespace AiServer.Workers;

/// <summary>The job workers (the kinds <c>Workers:Kinds</c> names); a small Kestrel endpoint serves their health and metrics (as eShop's OrderProcessor).</summary>
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
        builder.AddJobWorkers();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.Run();
    }
}
