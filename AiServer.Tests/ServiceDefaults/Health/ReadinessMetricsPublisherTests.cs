using System.Diagnostics.Metrics;
using AiServer.ServiceDefaults.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace AiServer.Tests.ServiceDefaults.Health;

public sealed class ReadinessMetricsPublisherTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task PublishAsync_ReadyNotReadyReady_GaugeFollowsAndCountsTwoTransitions()
    {
        // Arrange
        var factory = _services.GetRequiredService<IMeterFactory>();
        using var publisher = new ReadinessMetricsPublisher(factory);
        using var ready = new MetricCollector<int>(factory, ReadinessMetricsPublisher.MeterName, "health.ready");
        using var transitions = new MetricCollector<long>(factory, ReadinessMetricsPublisher.MeterName, "health.ready.transitions");
        var ct = TestContext.Current.CancellationToken;

        // Act + Assert: nothing before the first report, then the gauge follows readiness.
        ready.RecordObservableInstruments();
        Assert.Null(ready.LastMeasurement);

        await publisher.PublishAsync(Report(HealthStatus.Healthy), ct);
        ready.RecordObservableInstruments();
        Assert.Equal(1, ready.LastMeasurement!.Value);
        Assert.Equal(0, transitions.GetMeasurementSnapshot().EvaluateAsCounter());

        await publisher.PublishAsync(Report(HealthStatus.Unhealthy), ct);
        ready.RecordObservableInstruments();
        Assert.Equal(0, ready.LastMeasurement!.Value);

        await publisher.PublishAsync(Report(HealthStatus.Unhealthy), ct);
        await publisher.PublishAsync(Report(HealthStatus.Degraded), ct); // /health/ready still answers 200 when degraded
        ready.RecordObservableInstruments();
        Assert.Equal(1, ready.LastMeasurement!.Value);
        Assert.Equal(2, transitions.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    private static HealthReport Report(HealthStatus status) =>
        new(new Dictionary<string, HealthReportEntry>(StringComparer.Ordinal) { ["redis"] = new(status, null, TimeSpan.Zero, null, null) }, TimeSpan.Zero);
}
