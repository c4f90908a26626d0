using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AiServer.ServiceDefaults.Telemetry;

/// <summary>Puts <see cref="HttpRequestMetrics"/> first in the pipeline so it sees every request and exception.</summary>
internal sealed class HttpMetricsStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var metrics = app.ApplicationServices.GetRequiredService<HttpRequestMetrics>();
        app.Use(next2 => context => metrics.InvokeAsync(context, next2));
        next(app);
    };
}
