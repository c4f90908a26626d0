namespace AiServer.ServiceDefaults.Resilience;

/// <summary>The named breakers of this instance (the seed's <c>circuitBreakers</c> object).</summary>
public interface ICircuitBreakerRegistry
{
    /// <summary>
    /// Returns the breaker <paramref name="name"/>, creating it on first use from its preset and configuration.
    /// </summary>
    /// <param name="name">The breaker name (see <see cref="CircuitBreakerPresets"/>).</param>
    /// <exception cref="ArgumentException">The name is not a valid breaker name.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">Its configuration is invalid.</exception>
    ICircuitBreaker Get(string name);

    /// <summary>Returns the breaker <paramref name="name"/> only if it exists already.</summary>
    /// <param name="name">The breaker name.</param>
    /// <param name="breaker">The breaker.</param>
    bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ICircuitBreaker? breaker);

    /// <summary>Every breaker created so far (all presets and configured names exist from the start).</summary>
    IReadOnlyCollection<ICircuitBreaker> All { get; }
}
