using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>Adds the fleet resilience handler to a named <see cref="HttpClient"/>.</summary>
public static class FleetHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds total timeout -> retry preset -> fleet breaker <paramref name="breakerName"/> -> attempt timeout, e.g.
    /// <c>services.AddHttpClient("replicate").AddFleetResilienceHandler("replicate", RetryPreset.ExternalApi)</c>.
    /// 5xx, 408, connection errors and timeouts count against the breaker; a 429 starts the shared cool-down instead.
    /// </summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="breakerName">The fleet breaker (see <see cref="CircuitBreakerPresets"/>).</param>
    /// <param name="preset">The retry preset.</param>
    /// <param name="configure">Adjusts the timeouts.</param>
    public static IHttpClientBuilder AddFleetResilienceHandler(this IHttpClientBuilder builder, string breakerName, RetryPreset preset = RetryPreset.ExternalApi, Action<FleetHttpResilienceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(breakerName);
        FleetCircuitBreakerHostingExtensions.AddCore(builder.Services, null);
        var options = new FleetHttpResilienceOptions();
        configure?.Invoke(options);
        options.Validate(builder.Name);

        // The standard resilience handler that ServiceDefaults puts on every client would wrap the fleet pipeline in a
        // second retry and breaker; a provider client has this pipeline instead.
        // RemoveAllResilienceHandlers is marked experimental (EXTEXP0001); it is the package's documented way to opt one
        // client out of ConfigureHttpClientDefaults' handler, and a test pins that provider clients carry only ours.
#pragma warning disable EXTEXP0001
        builder.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder.AddHttpMessageHandler(sp => new FleetResilienceHandler(
            sp.GetRequiredService<CircuitBreakerRegistry>().GetFleet(breakerName),
            preset,
            options,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("AiServer.Resilience.Http." + builder.Name)));
    }
}
