using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>Adds the fleet resilience pipeline to a named <see cref="HttpClient"/>.</summary>
public static class FleetHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds total timeout -> retry preset -> fleet breaker <paramref name="breakerName"/> -> attempt timeout through
    /// Microsoft.Extensions.Http.Resilience (<c>AddResilienceHandler</c>, pipeline <c>{client}-fleet</c>), e.g.
    /// <c>services.AddHttpClient("replicate").AddFleetResilienceHandler("replicate", RetryPreset.ExternalApi)</c>.
    /// 5xx, 408, connection errors and timeouts count against the breaker; a 429 starts the shared cool-down instead.
    /// The standard resilience handler of <c>ConfigureHttpClientDefaults</c> is removed from this client.
    /// </summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="breakerName">The fleet breaker (see <see cref="CircuitBreakerPresets"/>).</param>
    /// <param name="preset">The retry preset.</param>
    /// <param name="configure">Adjusts the timeouts.</param>
    public static IHttpClientBuilder AddFleetResilienceHandler(this IHttpClientBuilder builder, string breakerName, RetryPreset preset = RetryPreset.ExternalApi, Action<FleetHttpResilienceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(breakerName);
        FleetCircuitBreakerHostingExtensions.AddCore(builder.Services);
        var options = new FleetHttpResilienceOptions();
        configure?.Invoke(options);
        options.Validate(builder.Name);
        var loggerName = "AiServer.Resilience.Http." + builder.Name;

        // The standard resilience handler that ServiceDefaults puts on every client would wrap the fleet pipeline in a
        // second retry and breaker; a provider client has this pipeline instead. It must be removed before ours is
        // added: the removal drops every ResilienceHandler present when it runs.
        // RemoveAllResilienceHandlers is marked experimental (EXTEXP0001); it is the package's documented way to opt one
        // client out of ConfigureHttpClientDefaults' handler, and a test pins that provider clients carry only ours.
#pragma warning disable EXTEXP0001
        builder.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.AddHttpMessageHandler(() => new FleetOperationHandler(breakerName));
        builder.AddResilienceHandler(FleetHttpPipeline.Name, (pipeline, context) =>
        {
            var services = context.ServiceProvider;
            FleetHttpPipeline.Configure(
                pipeline,
                services.GetRequiredService<CircuitBreakerRegistry>().GetFleet(breakerName),
                preset,
                options,
                services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<ILoggerFactory>().CreateLogger(loggerName));
        });
        return builder.AddHttpMessageHandler(sp => new FleetAttemptHandler(
            sp.GetRequiredService<CircuitBreakerRegistry>().GetFleet(breakerName),
            options,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(loggerName)));
    }
}
