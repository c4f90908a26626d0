using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.ServiceDefaults.Health;

/// <summary>
/// Readiness as metrics, so Prometheus can see an instance flap: <c>health_ready</c> (gauge, 1 while the readiness
/// checks pass, 0 while <c>/health/ready</c> would answer 503) and <c>health_ready_transitions_total</c> (counter of
/// changes between the two). It runs on the health publisher's timer over the readiness checks (every 10 s), like
/// <see cref="HealthStateLogPublisher"/>, so a flip that lasts less than one period can be missed; a flapping instance
/// is not.
/// </summary>
internal sealed class ReadinessMetricsPublisher : IHealthCheckPublisher, IDisposable
{
    /// <summary>The meter's name (collected with every <c>AiServer.*</c> meter).</summary>
    public const string MeterName = "AiServer.Health";

    private readonly Meter _meter;
    private readonly Counter<long> _transitions;
    private int _ready = -1;

    public ReadinessMetricsPublisher(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableGauge("health.ready", ObserveReady, description: "1 while the readiness checks pass (/health/ready answers 200), 0 otherwise.");
        _transitions = _meter.CreateCounter<long>("health.ready.transitions", description: "Changes of readiness between ready and not ready.");
    }

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);

        // /health/ready answers 503 only for Unhealthy; Degraded still serves.
        var ready = report.Status == HealthStatus.Unhealthy ? 0 : 1;
        var previous = Interlocked.Exchange(ref _ready, ready);
        if (previous >= 0 && previous != ready)
        {
            _transitions.Add(1);
        }
        else if (previous < 0)
        {
            // Present at 0 from the first report, so increase() sees the first real transition.
            _transitions.Add(0);
        }

        return Task.CompletedTask;
    }

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<int>> ObserveReady()
    {
        var ready = Volatile.Read(ref _ready);
        return ready < 0 ? [] : [new Measurement<int>(ready)];
    }
}
