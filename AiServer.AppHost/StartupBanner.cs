using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiServer.AppHost;

/// <summary>Prints, once everything runs, where the api answers, the generated admin token and the development API key (run mode only).</summary>
internal static partial class StartupBanner
{
    public static void AddStartupBanner(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> adminToken, IResourceBuilder<ParameterResource> apiKey)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return;
        }

        api.OnResourceReady(async (resource, @event, ct) =>
        {
            var logger = @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AiServer.AppHost");
            var endpoint = resource.GetEndpoint("http");
            var token = await adminToken.Resource.GetValueAsync(ct).ConfigureAwait(false) ?? string.Empty;
            var key = await apiKey.Resource.GetValueAsync(ct).ConfigureAwait(false) ?? string.Empty;
            LogReady(logger, endpoint.Url, token, key);
        });
    }

    // Local development only: the token is generated per run and this line goes to the developer's terminal.
    [LoggerMessage(1, LogLevel.Information, "AiServer is ready. api: {ApiUrl} (2 replicas behind DCP's proxy). Admin token for /admin/*: {AdminToken}. API key for /v1/jobs: {ApiKey}")]
    private static partial void LogReady(ILogger logger, string apiUrl, string adminToken, string apiKey);
}
