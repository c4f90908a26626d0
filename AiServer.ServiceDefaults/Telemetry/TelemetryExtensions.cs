using AiServer.ServiceDefaults.Metrics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AiServer.ServiceDefaults.Telemetry;

/// <summary>
/// OpenTelemetry as Aspire's ServiceDefaults template wires it (OpenTelemetry.Extensions.Hosting with the ASP.NET Core,
/// HttpClient and runtime instrumentation; OTLP for logs, metrics and traces when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is
/// set), plus ours: the Prometheus exporter for <c>/metrics</c>, a pull reader for <c>/metrics/json</c>, the seeds'
/// process and request instruments, and probes and scrapes kept out of traces.
/// </summary>
internal static class TelemetryExtensions
{
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static void AddDefaultTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MetricsScraper>();
        services.TryAddSingleton<ProcessMetrics>();
        services.TryAddSingleton<HttpRequestMetrics>();
        services.AddHostedService<TelemetryStartup>();
        services.AddHostedService<TelemetryShutdown>();
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"];
        if (string.IsNullOrWhiteSpace(serviceName))
        {
            serviceName = builder.Environment.ApplicationName;
        }

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(TelemetryNames.Prefix + ".*")
                .AddInstrumentation(sp => sp.GetRequiredService<ProcessMetrics>())
                .AddInstrumentation(sp => sp.GetRequiredService<HttpRequestMetrics>())
                .AddView(CountGaugeView)
                .AddPrometheusExporter()
                .AddReader(sp => sp.GetRequiredService<MetricsScraper>().Reader))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options => options.Filter = static http => !HttpRequestMetrics.IsInfrastructurePath(http.Request.Path))
                .AddHttpClientInstrumentation()
                .AddSource(TelemetryNames.Prefix + ".*"));
        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]))
        {
            telemetry.UseOtlpExporter();
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, HttpMetricsStartupFilter>());
    }

    /// <summary>
    /// A gauge or counter whose name ends in <c>.count</c> (<c>dotnet.assembly.count</c>) would be exported as
    /// <c>..._count</c>, which Prometheus reads as a histogram's series (promtool rejects it): it gets <c>.value</c>.
    /// </summary>
    private static MetricStreamConfiguration? CountGaugeView(System.Diagnostics.Metrics.Instrument instrument) =>
        instrument.Name.EndsWith(".count", StringComparison.Ordinal) && !IsHistogram(instrument)
            ? new MetricStreamConfiguration { Name = instrument.Name + ".value" }
            : null;

    private static bool IsHistogram(System.Diagnostics.Metrics.Instrument instrument) =>
        instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() == typeof(System.Diagnostics.Metrics.Histogram<>);
}
