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
        var families = scraper.Collect();
        var text = PrometheusTextWriter.Write(families);

        // Assert
        Assert.Contains("# TYPE http_requests_total counter\nhttp_requests_total{route=\"/v1/jobs\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("process_resident_memory_bytes 1234\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE redis_command_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("redis_command_duration_seconds_bucket{le=\"+Inf\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("redis_command_duration_seconds_count 2\n", text, StringComparison.Ordinal);
        Assert.Contains("redis_command_duration_seconds_sum 7.003\n", text, StringComparison.Ordinal);
    }
}
