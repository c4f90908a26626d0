using System.Diagnostics.Metrics;
using AiServer.ServiceDefaults.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace AiServer.Tests.ServiceDefaults.Metrics;

public sealed class MetricsScraperTests
{
    [Fact]
    public void Collect_CounterGaugeAndHistogram_RendersPrometheusNames()
    {
        // Arrange
        using var meter = new Meter("AiServer.Tests.Scraper." + Guid.NewGuid().ToString("N"));
        using var scraper = new MetricsScraper();
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddReader(scraper.Reader).Build();
        var counter = meter.CreateCounter<long>("http.requests");
        var histogram = meter.CreateHistogram<double>("redis.command.duration", unit: "s");
        meter.CreateObservableGauge("process.resident_memory", () => 1234L, unit: "By");

        // Act
        counter.Add(3, new KeyValuePair<string, object?>("route", "/v1/jobs"));
        histogram.Record(0.003);
        histogram.Record(7);
        var families = scraper.Collect().ToDictionary(f => f.Name);

        // Assert: the names /metrics/json uses, the same as the Prometheus exporter's.
        var requests = families["http_requests_total"];
        Assert.Equal(MetricKind.Counter, requests.Kind);
        Assert.Equal(3, Assert.Single(requests.Samples, s => s.Labels.Any(l => l.Key == "route" && l.Value == "/v1/jobs")).Value);
        Assert.Equal(1234, Assert.Single(families["process_resident_memory_bytes"].Samples).Value);
        var duration = families["redis_command_duration_seconds"];
        Assert.Equal(MetricKind.Histogram, duration.Kind);
        var sample = Assert.Single(duration.Samples);
        Assert.Equal(2, sample.Count);
        Assert.Equal(7.003, sample.Value, 9);
        Assert.Equal(2, sample.Buckets!.Last().CumulativeCount);
        Assert.Equal("+Inf", MetricsJson.FormatBound(sample.Buckets!.Last().UpperBound));
    }
}
