namespace AiServer.ProviderEmulator.Apis;

/// <summary><c>/health</c>: 200 while the process serves.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/health", GetHealth).WithName("EmulatorHealth").WithSummary("Liveness of the emulator").WithTags("Emulator");
        return app;
    }

    internal static Microsoft.AspNetCore.Http.HttpResults.Ok<HealthStatus> GetHealth() => TypedResults.Ok(new HealthStatus("Healthy", "provider-emulator"));
}
