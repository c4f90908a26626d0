using AiServer.ProviderEmulator.Infrastructure;

namespace AiServer.ProviderEmulator.Apis;

/// <summary>Unknown paths under a provider prefix get that provider's own 404 body, not ASP.NET Core's.</summary>
public static class FallbackApi
{
    public static IEndpointRouteBuilder MapFallbackApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        foreach (var provider in ProviderIds.All)
        {
            app.MapFallback($"/{provider}/{{**path}}", () => ProviderErrors.Status(provider, StatusCodes.Status404NotFound))
                .WithName($"{provider}NotFound")
                .WithSummary($"Unknown {provider} path");
        }

        return app;
    }
}
