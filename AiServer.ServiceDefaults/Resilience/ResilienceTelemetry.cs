using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// The meter and activity source <c>AiServer.Resilience</c> (one per process, shared by the static retry helpers and
/// every registry). Instrument names use dots; the Prometheus exporter turns them into
/// <c>circuit_breaker_state{name}</c>, <c>circuit_breaker_failures_total{name}</c> and so on.
/// </summary>
internal sealed class ResilienceTelemetry
{
    public const string Name = "AiServer.Resilience";

    public static readonly ResilienceTelemetry Shared = new();

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter = new(Name);
    private readonly Lock _gate = new();
    private readonly List<ITelemetrySource> _sources = [];

    private ResilienceTelemetry()
    {
        Failures = _meter.CreateCounter<long>("circuit_breaker.failures", description: "Handled failures counted by a circuit breaker on this instance.");
        Rejections = _meter.CreateCounter<long>("circuit_breaker.rejections", description: "Calls a circuit breaker rejected without running them.");
        Transitions = _meter.CreateCounter<long>("circuit_breaker.transitions", description: "State changes of a circuit breaker as seen by this instance.");
        RetryAttempts = _meter.CreateCounter<long>("retry.attempts", description: "Retries made by the retry presets, per operation.");
        _meter.CreateObservableGauge("circuit_breaker.state", ObserveStates, description: "Circuit state: CLOSED 0, HALF_OPEN 1, OPEN 2.");
        _meter.CreateObservableGauge("circuit_breaker.sync.lag", ObserveLag, unit: "s", description: "Seconds since this instance last read the fleet state from Redis.");
        _meter.CreateObservableGauge("circuit_breaker.sync.connected", ObserveConnected, description: "1 when breaker state is shared through Redis, 0 on local fallback.");
    }

    /// <summary>What a registry contributes to the observable gauges.</summary>
    internal interface ITelemetrySource
    {
        IEnumerable<Measurement<int>> States();

        double? SyncLagSeconds();

        int? SyncConnected();
    }

    public Counter<long> Failures { get; }

    public Counter<long> Rejections { get; }

    public Counter<long> Transitions { get; }

    public Counter<long> RetryAttempts { get; }

    public IDisposable Register(ITelemetrySource source)
    {
        lock (_gate)
        {
            _sources.Add(source);
        }

        return new Registration(this, source);
    }

    private ITelemetrySource[] Sources()
    {
        lock (_gate)
        {
            return [.. _sources];
        }
    }

    private IEnumerable<Measurement<int>> ObserveStates() => Sources().SelectMany(s => s.States());

    private IEnumerable<Measurement<double>> ObserveLag() =>
        Sources().Select(s => s.SyncLagSeconds()).OfType<double>().Select(v => new Measurement<double>(v));

    private IEnumerable<Measurement<int>> ObserveConnected() =>
        Sources().Select(s => s.SyncConnected()).OfType<int>().Select(v => new Measurement<int>(v));

    private sealed class Registration(ResilienceTelemetry owner, ITelemetrySource source) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._sources.Remove(source);
            }
        }
    }
}
