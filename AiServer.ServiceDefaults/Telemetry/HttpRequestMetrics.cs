using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AiServer.ServiceDefaults.Telemetry;

/// <summary>
/// The seeds' request counters, <c>http_requests_total{method,route,status}</c> and
/// <c>http_request_errors_total{method,route,status}</c> (5xx and unhandled exceptions). Probe and scrape endpoints
/// (<c>/health*</c>, <c>/alive</c>, <c>/metrics*</c>) are left out so that they do not dilute the error rate, and are
/// kept out of traces.
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

    /// <summary>
    /// Gives the ASP.NET Core server span the semantic-convention attributes and name that
    /// OpenTelemetry.Instrumentation.AspNetCore would (that package is not restorable here).
    /// </summary>
    private static void EnrichServerSpan(HttpContext context, string route, int status, bool failed)
    {
        if (Activity.Current is not { IsAllDataRequested: true } activity || activity.Kind != ActivityKind.Server)
        {
            return;
        }

        var method = KnownMethod(context.Request.Method);
        activity.DisplayName = $"{method} {route}";
        activity.SetTag("http.request.method", method);
        activity.SetTag("url.path", context.Request.Path.Value);
        activity.SetTag("url.scheme", context.Request.Scheme);
        activity.SetTag("http.route", route);
        activity.SetTag("http.response.status_code", status);
        if (status >= 500 || failed)
        {
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (IsInfrastructurePath(context.Request.Path))
        {
            // Probes and scrapes stay out of traces: the SDK exports only activities with all data requested.
            if (Activity.Current is { } activity)
            {
                activity.IsAllDataRequested = false;
                activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
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
            EnrichServerSpan(context, route, status, failed);
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
