using AiServer.Providers;
using AiServer.ServiceDefaults;
using AiServer.ServiceDefaults.Redis;

namespace AiServer.Workers;

/// <summary>Background workers; a small Kestrel endpoint serves their health and metrics (as eShop's OrderProcessor).</summary>
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
        app.Run();
    }
}
