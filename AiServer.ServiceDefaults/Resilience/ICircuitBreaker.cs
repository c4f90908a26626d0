namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// One named fleet-wide circuit breaker (the seed's <c>CircuitBreaker</c>): resolve it from
/// <see cref="ICircuitBreakerRegistry"/> or as a keyed service, then run calls through <see cref="ExecuteAsync{T}"/>
/// or add it to a Polly pipeline with <c>AddFleetCircuitBreaker</c>.
/// </summary>
public interface ICircuitBreaker
{
    /// <summary>The breaker name (also its metric label and Redis key part).</summary>
    string Name { get; }

    /// <summary>The effective state as this instance sees it now (no I/O).</summary>
    CircuitState State { get; }

    /// <summary>The options in force.</summary>
    CircuitBreakerOptions Options { get; }

    /// <summary>
    /// Runs <paramref name="action"/> through the breaker. Every exception other than cancellation by
    /// <paramref name="cancellationToken"/> counts as a handled failure. A rejected call throws
    /// <see cref="CircuitBreakerRejectedException"/> (use a Polly pipeline to get it as an outcome instead).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="action">The protected call.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask<T> ExecuteAsync<T>(Func<CancellationToken, ValueTask<T>> action, CancellationToken cancellationToken = default);

    /// <summary>Isolates the provider fleet-wide: every call is rejected until <see cref="ResetAsync"/>.</summary>
    /// <param name="reason">Why (logged and shown in stats).</param>
    /// <param name="cancellationToken">Cancels the wait for Redis (the local state changes at once).</param>
    Task ForceOpenAsync(string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Holds the circuit closed fleet-wide (failures are not counted) until <see cref="ResetAsync"/>.</summary>
    /// <param name="reason">Why (logged and shown in stats).</param>
    /// <param name="cancellationToken">Cancels the wait for Redis (the local state changes at once).</param>
    Task ForceCloseAsync(string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Releases any manual override and closes the circuit with fresh counters, fleet-wide.</summary>
    /// <param name="cancellationToken">Cancels the wait for Redis (the local state changes at once).</param>
    Task ResetAsync(CancellationToken cancellationToken = default);

    /// <summary>The current statistics (no I/O).</summary>
    CircuitBreakerStats GetStats();

    /// <summary>
    /// The breaker behind this interface, for the Polly strategy. Internal, so only the registry's breakers implement
    /// it: a pipeline never gets a breaker it cannot drive, and nothing needs a cast to find out.
    /// </summary>
    internal FleetCircuitBreaker Fleet { get; }
}
