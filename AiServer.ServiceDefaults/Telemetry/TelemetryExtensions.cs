using AiServer.ServiceDefaults.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AiServer.ServiceDefaults.Telemetry;

/// <summary>
/// Wires the OpenTelemetry SDK by hand: one MeterProvider whose aggregation feeds both <c>/metrics</c> (a pull reader)
/// and OTLP, a TracerProvider and OTLP logs when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
internal static class TelemetryExtensions
{
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static void AddDefaultTelemetry(this IHostApplicationBuilder builder)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]);
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"];
        if (string.IsNullOrWhiteSpace(serviceName))
        {
            serviceName = builder.Environment.ApplicationName;
        }

        void ConfigureResource(ResourceBuilder resource) => resource.AddService(serviceName);

        if (otlp)
        {
            builder.Logging.AddOpenTelemetry(logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = true;
                logging.SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(serviceName));
                logging.AddOtlpExporter();
            });
        }

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<MetricsScraper>();
        services.TryAddSingleton<ProcessMetrics>();
        services.TryAddSingleton<HttpRequestMetrics>();
        services.TryAddSingleton(sp =>
        {
            var meters = Sdk.CreateMeterProviderBuilder()
                .ConfigureResource(ConfigureResource)
                .AddMeter(TelemetryNames.BuiltInMeters)
                .AddMeter(TelemetryNames.Prefix + ".*")
                .AddReader(sp.GetRequiredService<MetricsScraper>().Reader);
            if (otlp)
            {
                meters.AddOtlpExporter();
            }

            TracerProvider? tracer = null;
            if (otlp)
            {
                tracer = Sdk.CreateTracerProviderBuilder()
                    .ConfigureResource(ConfigureResource)
                    .AddSource(TelemetryNames.BuiltInSources)
                    .AddSource(TelemetryNames.Prefix + ".*")
                    .AddOtlpExporter()
                    .Build();
            }

            return new TelemetryProviders(meters.Build(), tracer);
        });
        services.AddHostedService<TelemetryHostedService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, HttpMetricsStartupFilter>());
    }
}
