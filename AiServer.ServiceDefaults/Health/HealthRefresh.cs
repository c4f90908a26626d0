using AiServer.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AiServer.ServiceDefaults.Health;

/// <summary>
/// <c>/health/detailed?refresh=true</c>: an operator (admin token required, since it makes provider calls) drops the
/// cached probe results so the report probes again.
/// </summary>
internal static class HealthRefresh
{
    public const string DetailedPath = "/health/detailed";

    public static async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (!http.Request.Path.Equals(DetailedPath, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(http.Request.Query["refresh"], "true", StringComparison.OrdinalIgnoreCase))
        {
            await next(http).ConfigureAwait(false);
            return;
        }

        if (AdminToken.Check(http) is { } refused)
        {
            await refused.ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        foreach (var cache in http.RequestServices.GetServices<IHealthCheckCache>())
        {
            cache.Invalidate();
        }

        await next(http).ConfigureAwait(false);
    }
}
