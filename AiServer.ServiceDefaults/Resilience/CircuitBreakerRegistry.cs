using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// The breakers of this instance. All presets, every name under <c>CircuitBreakers</c> and every name in
/// <c>CircuitBreakerSync:Names</c> exist from the start (so their configuration is validated at start and their fleet
/// state is loaded before readiness); other names are created on first use.
/// </summary>
internal sealed class CircuitBreakerRegistry : ICircuitBreakerRegistry, ResilienceTelemetry.ITelemetrySource, IDisposable
{
    private readonly ConcurrentDictionary<string, FleetCircuitBreaker> _breakers = new(StringComparer.Ordinal);
    private readonly IOptionsMonitor<CircuitBreakerOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IDisposable _telemetryRegistration;
    private IFleetLink? _link;

    public CircuitBreakerRegistry(
        IOptionsMonitor<CircuitBreakerOptions> options,
        IOptions<FleetSyncOptions> syncOptions,
        IConfiguration configuration,
        InstanceIdentity identity,
        TimeProvider timeProvider,
        ILogger<CircuitBreakerRegistry> logger)
    {
        _options = options;
        _time = timeProvider;
        _logger = logger;
        InstanceId = identity.Id;
        foreach (var name in KnownNames(configuration, syncOptions.Value))
        {
            Get(name);
        }

        _telemetryRegistration = ResilienceTelemetry.Shared.Register(this);
    }

    /// <summary>Raised when a breaker is created after start (the fleet sync loads its state).</summary>
    public event Action<FleetCircuitBreaker>? Created;

    public string InstanceId { get; }

    public IReadOnlyCollection<ICircuitBreaker> All => [.. _breakers.Values.OrderBy(b => b.Name, StringComparer.Ordinal)];

    internal ICollection<FleetCircuitBreaker> Breakers => _breakers.Values;

    /// <summary>Set by the fleet sync; breakers follow the fleet while it is connected.</summary>
    internal IFleetLink? Link => _link;

    internal static IEnumerable<string> KnownNames(IConfiguration configuration, FleetSyncOptions sync) =>
        CircuitBreakerPresets.Names
            .Concat(configuration.GetSection(CircuitBreakerOptions.SectionName).GetChildren().Select(c => c.Key))
            .Concat(sync.Names)
            .Distinct(StringComparer.Ordinal);

    public ICircuitBreaker Get(string name) => GetFleet(name);

    internal FleetCircuitBreaker GetFleet(string name)
    {
        if (_breakers.TryGetValue(name, out var existing))
        {
            return existing;
        }

        if (!CircuitBreakerName.IsValid(name))
        {
            throw new ArgumentException($"'{name}' is not a valid circuit breaker name ({CircuitBreakerName.Rule}).", nameof(name));
        }

        var created = false;
        var breaker = _breakers.GetOrAdd(name, n =>
        {
            created = true;
            var b = new FleetCircuitBreaker(n, _options.Get(n), InstanceId, _time, ResilienceTelemetry.Shared, _logger);
            if (_link is { } link)
            {
                b.Attach(link);
            }

            return b;
        });
        if (created && _link is not null)
        {
            Created?.Invoke(breaker);
        }

        return breaker;
    }

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ICircuitBreaker? breaker)
    {
        var found = _breakers.TryGetValue(name, out var fleet);
        breaker = fleet;
        return found;
    }

    /// <summary>The breaker of that name, if this instance has one (a fleet message names breakers it may not have).</summary>
    internal bool TryGetFleet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out FleetCircuitBreaker? breaker) =>
        _breakers.TryGetValue(name, out breaker);

    internal void AttachLink(IFleetLink link)
    {
        _link = link;
        foreach (var breaker in _breakers.Values)
        {
            breaker.Attach(link);
        }
    }

    IEnumerable<Measurement<int>> ResilienceTelemetry.ITelemetrySource.States()
    {
        var now = _time.GetTimestamp();
        foreach (var breaker in _breakers.Values)
        {
            yield return new Measurement<int>((int)breaker.Snapshot.Effective(now), new KeyValuePair<string, object?>("name", breaker.Name));
        }
    }

    double? ResilienceTelemetry.ITelemetrySource.SyncLagSeconds() => (_link as FleetSyncService)?.SyncLagSeconds;

    int? ResilienceTelemetry.ITelemetrySource.SyncConnected() => _link is null ? null : _link.IsConnected ? 1 : 0;

    public void Dispose() => _telemetryRegistration.Dispose();
}
