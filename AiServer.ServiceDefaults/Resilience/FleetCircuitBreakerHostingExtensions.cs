using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using AiServer.ServiceDefaults.Health;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>Registers the fleet-wide circuit breakers.</summary>
public static class FleetCircuitBreakerHostingExtensions
{
    /// <summary>
    /// Registers <see cref="ICircuitBreakerRegistry"/> (and every breaker as a keyed <see cref="ICircuitBreaker"/>),
    /// validated options for the presets and configured names, the <c>breaker-sync</c> health check (tags
    /// <see cref="HealthTags.Ready"/> and <see cref="HealthTags.Detailed"/>), and, when <c>ConnectionStrings:redis</c>
    /// is configured and <c>CircuitBreakerSync:Enabled</c> is not false, the Redis-backed fleet sync.
    /// Call it once per host: <c>AddServiceDefaults()</c> does.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    public static IHostApplicationBuilder AddFleetCircuitBreakers(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        AddCore(services);
        services.AddOptions<FleetSyncOptions>().BindConfiguration(FleetSyncOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var sync = builder.Configuration.GetSection(FleetSyncOptions.SectionName).Get<FleetSyncOptions>() ?? new FleetSyncOptions();
        foreach (var name in CircuitBreakerRegistry.KnownNames(builder.Configuration, sync))
        {
            services.AddOptions<CircuitBreakerOptions>(name).ValidateDataAnnotations().ValidateOnStart();
        }

        if (sync.Enabled && FleetStoreFactory.TryRegister(builder))
        {
            services.AddSingleton<FleetSyncService>();
            services.AddHostedService(sp => sp.GetRequiredService<FleetSyncService>());
        }

        services.AddHealthChecks().Add(new HealthCheckRegistration(
            BreakerSyncHealthCheck.Name,
            sp => new BreakerSyncHealthCheck(sp.GetRequiredService<CircuitBreakerRegistry>(), sp.GetService<FleetSyncService>()),
            failureStatus: HealthStatus.Unhealthy,
            tags: [HealthTags.Ready, HealthTags.Detailed]));
        return builder;
    }

    /// <summary>
    /// The services every use of the breakers needs, each added only if absent, so the HTTP pipeline
    /// (<c>AddFleetResilienceHandler</c>, once per client) and <see cref="AddFleetCircuitBreakers"/> can both call it.
    /// </summary>
    internal static void AddCore(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => InstanceIdentity.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<CircuitBreakerOptions>, CircuitBreakerOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CircuitBreakerOptions>, CircuitBreakerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FleetSyncOptions>, FleetSyncOptionsValidator>());
        services.AddOptions();
        services.TryAddSingleton(sp =>
        {
            RetryPresets.UseLogger(sp.GetRequiredService<ILoggerFactory>().CreateLogger("AiServer.Resilience.Retry"));
            return ActivatorUtilities.CreateInstance<CircuitBreakerRegistry>(sp);
        });
        services.TryAddSingleton<ICircuitBreakerRegistry>(sp => sp.GetRequiredService<CircuitBreakerRegistry>());
        services.TryAddKeyedSingleton<ICircuitBreaker>(KeyedService.AnyKey, static (sp, key) =>
            sp.GetRequiredService<ICircuitBreakerRegistry>().Get(key as string ?? throw new ArgumentException("Circuit breakers are keyed by name.", nameof(key))));
    }
}
