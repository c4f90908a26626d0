using AiServer.ServiceDefaults.Health;
using AiServer.ServiceDefaults.Hosting;
using AiServer.ServiceDefaults.Logging;
using AiServer.ServiceDefaults.Metrics;
using AiServer.ServiceDefaults.Resilience;
using AiServer.ServiceDefaults.Validation;
using AiServer.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiServer.ServiceDefaults;

/// <summary>
/// What every AiServer service shares: telemetry, logs, health checks, graceful shutdown, and the default endpoints
/// (<c>/health*</c>, <c>/metrics*</c>). The shape of Aspire's ServiceDefaults project.
/// </summary>
public static class Extensions
{
    /// <summary>
    /// Adds telemetry (OpenTelemetry SDK, Prometheus), the rolling file log, health checks, graceful shutdown, the
    /// fleet-wide circuit breakers (shared through Redis when <c>ConnectionStrings:redis</c> is set) and service discovery.
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddFileLogging();
        builder.AddDefaultTelemetry();
        builder.AddDefaultHealthChecks();
        builder.AddGracefulShutdown();
        builder.AddFleetCircuitBreakers();
        builder.Services.TryAddSingleton<BreakerAuditTrail>();
        builder.AddServiceDiscovery();
        builder.Services.AddProblemDetails();
        return builder;
    }

    /// <summary>
    /// Aspire's service discovery (<c>Microsoft.Extensions.ServiceDiscovery</c>) and the standard resilience handler on
    /// every HttpClient: <c>http://api</c>, <c>https+http://api</c> and <c>http://_endpoint.api</c> resolve from
    /// <c>Services:{service}</c> (the AppHost's <c>services__api__http__0</c>), unconfigured names pass through as DNS
    /// names. Provider clients replace the standard handler with their fleet pipeline.
    /// </summary>
    public static TBuilder AddServiceDiscovery<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    /// <summary>The rolling file log of <see cref="FileLoggerOptions"/>.</summary>
    public static TBuilder AddFileLogging<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddValidatedOptions<FileLoggerOptions>(FileLoggerOptions.SectionName);
        if (builder.Configuration.GetValue(FileLoggerOptions.SectionName + ":Enabled", defaultValue: true))
        {
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, FileLoggerProvider>());
        }

        return builder;
    }

    /// <summary>Registers the <c>self</c>, <c>draining</c>, <c>filesystem</c> and <c>memory</c> checks.</summary>
    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.TryAddSingleton<DrainState>();
        services.AddValidatedOptions<FileSystemHealthOptions>(FileSystemHealthOptions.SectionName);
        services.AddValidatedOptions<MemoryHealthOptions>(MemoryHealthOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MemoryHealthOptions>, HealthOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FileSystemHealthOptions>, HealthOptionsValidator>());
        services.AddValidatedOptions<HealthDeadlineOptions>(HealthDeadlineOptions.SectionName);

        // Health in the log is edge-triggered (HealthStateLogPublisher, on a timer over the readiness checks); ASP.NET
        // Core's own line per check per request would let unauthenticated probe traffic flood the log. The same timer
        // feeds health_ready and health_ready_transitions_total (ReadinessMetricsPublisher) for the flapping alert.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", LogLevel.Critical);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHealthCheckPublisher, HealthStateLogPublisher>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHealthCheckPublisher, ReadinessMetricsPublisher>());
        services.Configure<HealthCheckPublisherOptions>(static publisher =>
        {
            publisher.Delay = TimeSpan.FromSeconds(2);
            publisher.Period = TimeSpan.FromSeconds(10);
            publisher.Predicate = static r => r.Tags.Contains(HealthTags.Ready);
        });
        services.AddOptions<HealthCheckServiceOptions>().PostConfigure<IOptions<HealthDeadlineOptions>>(static (checks, deadlines) =>
        {
            // Every check but liveness gets a deadline, whoever registered it (Aspire's Redis check included), so the
            // health endpoints answer within a bound whatever a dependency does.
            // The deadline is chosen when the check runs: a later PostConfigure may still tag a registration (the Redis
            // client tags Aspire's check ready).
            foreach (var registration in checks.Registrations)
            {
                var factory = registration.Factory;
                registration.Factory = sp => registration.Tags.Contains(HealthTags.Live) && !registration.Tags.Contains(HealthTags.Ready)
                    ? factory(sp)
                    : new DeadlineHealthCheck(
                        factory(sp),
                        registration.Tags.Contains(HealthTags.Ready) ? deadlines.Value.Ready : deadlines.Value.Detailed,
                        sp.GetRequiredService<TimeProvider>());
            }
        });
        services.AddHealthChecks()
            .AddCheck("self", static () => HealthCheckResult.Healthy("serving"), [HealthTags.Live])
            .AddCheck<DrainingHealthCheck>("draining", tags: [HealthTags.Ready])
            .AddCheck<FileSystemHealthCheck>("filesystem", tags: [HealthTags.Detailed])
            .AddCheck<MemoryHealthCheck>("memory", tags: [HealthTags.Detailed]);
        return builder;
    }

    /// <summary>Readiness turns 503 on SIGTERM; in-flight work drains within <see cref="ShutdownOptions.DrainTimeout"/>.</summary>
    public static TBuilder AddGracefulShutdown<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.TryAddSingleton<DrainState>();
        services.AddValidatedOptions<ShutdownOptions>(ShutdownOptions.SectionName);
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) =>
            host.ShutdownTimeout = shutdown.Value.ReadinessDelay + shutdown.Value.DrainTimeout);
        services.AddHostedService<GracefulShutdownService>();
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c>, <c>/health/live</c> (and Aspire's <c>/alive</c>), <c>/health/ready</c>, <c>/health/detailed</c>,
    /// <c>/metrics</c>, <c>/metrics/json</c> and <c>/metrics/circuit-breakers</c>. The breaker control endpoints are the
    /// api's (<c>MapCircuitBreakerAdminApi()</c>).
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var live = new HealthCheckOptions
        {
            Predicate = static r => r.Tags.Contains(HealthTags.Live),
            ResponseWriter = HealthJsonWriter.WriteSummaryAsync,
        };
        app.MapHealthChecks("/health", live).GetOrHead().WithName("Health").WithSummary("Basic health for Docker: 200 while the process serves.");
        app.MapHealthChecks("/health/live", live).GetOrHead().WithName("HealthLive").WithSummary("Liveness: the process responds; never checks dependencies.");
        app.MapHealthChecks("/alive", live).GetOrHead().WithName("Alive").WithSummary("Aspire's liveness alias of /health/live.");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = static r => r.Tags.Contains(HealthTags.Ready),
            ResponseWriter = HealthJsonWriter.WriteDetailedAsync,
        }).GetOrHead().WithName("HealthReady").WithSummary("Readiness: dependencies reachable, state loaded, not draining; 503 otherwise.");
        app.Use(static next => http => HealthRefresh.InvokeAsync(http, next));
        app.MapHealthChecks(HealthRefresh.DetailedPath, new HealthCheckOptions
        {
            Predicate = static r => r.Tags.Contains(HealthTags.Detailed),
            ResponseWriter = HealthJsonWriter.WriteDetailedAsync,
        }).GetOrHead().WithName("HealthDetailed").WithSummary("Every component with status, response time and details; ?refresh=true (admin token) probes afresh.");

        app.MapMetricsEndpoints();
        app.MapCircuitBreakerEndpoints();

        if (app.Configuration.GetValue("Diagnostics:EnableDelayEndpoint", defaultValue: false))
        {
            // Opt-in: a request that takes as long as asked, for drain and shutdown drills.
            app.MapGet("/debug/delay", static async (int ms, TimeProvider time, CancellationToken ct) =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(ms, 0, 120_000)), time, ct).ConfigureAwait(false);
                return TypedResults.Ok(new { delayedMs = ms });
            }).WithName("DebugDelay").WithSummary("Answers after the given milliseconds (Diagnostics:EnableDelayEndpoint).");
        }

        return app;
    }

    /// <summary>
    /// Probe and scrape endpoints answer GET and HEAD (what load balancers and monitors send) and 405 to anything
    /// else, instead of running the checks for a TRACE or a DELETE.
    /// </summary>
    internal static TBuilder GetOrHead<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));

    private static void MapMetricsEndpoints(this WebApplication endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint("/metrics").GetOrHead()
            .WithName("Metrics").WithSummary("Prometheus text format (OpenTelemetry's Prometheus exporter).");
        endpoints.MapGet("/metrics/json", static (MetricsScraper scraper) => TypedResults.Json(MetricsJson.Shape(scraper.Collect()), MetricsJson.Options))
            .GetOrHead()
            .WithName("MetricsJson").WithSummary("The same metrics as JSON, for dashboards.");
    }
}
