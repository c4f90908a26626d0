using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace AiServer.ServiceDefaults.Telemetry;

/// <summary>
/// The seeds' request counters, <c>http_requests_total{method,route,status}</c> and
/// <c>http_request_errors_total{method,route,status}</c> (5xx and unhandled exceptions). Probe and scrape endpoints
/// (<c>/health*</c>, <c>/alive</c>, <c>/metrics*</c>) are left out so that they do not dilute the error rate, and are
/// kept out of ASP.NET Core's request histogram (the tracing filter keeps them out of traces).
/// </summary>
internal sealed class HttpRequestMetrics
{
    private readonly Counter<long> _requests;
    private readonly Counter<long> _errors;

    public HttpRequestMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(TelemetryNames.HttpMeter);
        _requests = meter.CreateCounter<long>("http.requests", description: "HTTP requests served.");
        _errors = meter.CreateCounter<long>("http.request.errors", description: "HTTP requests that ended in a 5xx or an unhandled exception.");
    }

    /// <summary>
    /// Records a zero in both counters, so both series exist from the first scrape and rate() and the error-rate alert
    /// work before the first request. Called once the meter provider listens (a measurement before that is lost).
    /// </summary>
    public void RecordZero()
    {
        _requests.Add(0, new TagList { { "method", "GET" }, { "route", "unmatched" }, { "status", 404 } });
        _errors.Add(0, new TagList { { "method", "GET" }, { "route", "unmatched" }, { "status", 500 } });
    }

    /// <summary>
    /// The method as a label value: the standard methods as they are, anything else <c>_OTHER</c> (as ASP.NET Core's
    /// own metrics do), so a client sending invented methods cannot create unbounded series.
    /// </summary>
    internal static string KnownMethod(string method) => method switch
    {
        "GET" or "POST" or "PUT" or "DELETE" or "PATCH" or "HEAD" or "OPTIONS" or "TRACE" or "CONNECT" => method,
        _ => "_OTHER",
    };

    public static bool IsInfrastructurePath(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/alive", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (IsInfrastructurePath(context.Request.Path))
        {
            // Probes and scrapes stay out of ASP.NET Core's own request metrics too (the tracing filter keeps them
            // out of traces), so a scrape stays small however often Kubernetes and Prometheus call.
            if (context.Features.Get<IHttpMetricsTagsFeature>() is { } tags)
            {
                tags.MetricsDisabled = true;
            }

            await next(context).ConfigureAwait(false);
            return;
        }

        var failed = false;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            var status = failed ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            var tags = new TagList
            {
                { "method", KnownMethod(context.Request.Method) },
                { "route", route },
                { "status", status },
            };
            _requests.Add(1, tags);
            if (status >= 500)
            {
                _errors.Add(1, tags);
            }
        }
    }
}
