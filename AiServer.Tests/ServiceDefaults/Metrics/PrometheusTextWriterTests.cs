using AiServer.ServiceDefaults.Metrics;

namespace AiServer.Tests.ServiceDefaults.Metrics;

public sealed class PrometheusTextWriterTests
{
    [Theory]
    [InlineData("http.server.request.duration", "s", MetricKind.Histogram, "http_server_request_duration_seconds")]
    [InlineData("http.requests", null, MetricKind.Counter, "http_requests_total")]
    [InlineData("jobs_total", null, MetricKind.Counter, "jobs_total")]
    [InlineData("process.resident_memory", "By", MetricKind.Gauge, "process_resident_memory_bytes")]
    [InlineData("process.cpu", "s", MetricKind.Counter, "process_cpu_seconds_total")]
    [InlineData("database.response_time_ms", "ms", MetricKind.Gauge, "database_response_time_ms")]
    [InlineData("kestrel.active_connections", "{connection}", MetricKind.Gauge, "kestrel_active_connections")]
    [InlineData("queue-depth/ratio", "1", MetricKind.Gauge, "queue_depth_ratio")]
    [InlineData("dotnet.assembly.count", "{assembly}", MetricKind.Gauge, "dotnet_assembly_count_value")]
    [InlineData("jobs.count", null, MetricKind.Counter, "jobs_count_total")]
    [InlineData("9lives", null, MetricKind.Gauge, "_9lives")]
    [InlineData("net.bytes", "By/s", MetricKind.Gauge, "net_bytes_bytes_per_seconds")]
    public void MetricName_OpenTelemetryInstrument_FollowsPrometheusRules(string name, string? unit, MetricKind kind, string expected) =>
        Assert.Equal(expected, PrometheusNaming.MetricName(name, unit, kind));

    [Theory]
    [InlineData("http.route", "http_route")]
    [InlineData("__reserved", "_reserved")]
    [InlineData("2xx", "_2xx")]
    public void LabelName_InvalidCharacters_AreReplaced(string key, string expected) =>
        Assert.Equal(expected, PrometheusNaming.LabelName(key));

    [Fact]
    public void Write_LabelValuesWithQuotesBackslashesAndNewlines_AreEscaped()
    {
        var family = new MetricFamily("errors_total", MetricKind.Counter, "Help with \\ and\nnewline", string.Empty,
            [new MetricSample([new("reason", "a\"b\\c\nd")], 2)]);

        var text = PrometheusTextWriter.Write([family]);

        Assert.Equal(
            "# HELP errors_total Help with \\\\ and\\nnewline\n" +
            "# TYPE errors_total counter\n" +
            "errors_total{reason=\"a\\\"b\\\\c\\nd\"} 2\n",
            text);
    }

    [Fact]
    public void Write_Histogram_EmitsCumulativeBucketsSumAndCount()
    {
        var family = new MetricFamily("latency_seconds", MetricKind.Histogram, string.Empty, "s",
        [
            new MetricSample([new("op", "get")], 1.25, 3,
                [new HistogramBucketSample(0.1, 1), new HistogramBucketSample(1, 2), new HistogramBucketSample(double.PositiveInfinity, 3)]),
        ]);

        var text = PrometheusTextWriter.Write([family]);

        Assert.Equal(
            "# TYPE latency_seconds histogram\n" +
            "latency_seconds_bucket{op=\"get\",le=\"0.1\"} 1\n" +
            "latency_seconds_bucket{op=\"get\",le=\"1\"} 2\n" +
            "latency_seconds_bucket{op=\"get\",le=\"+Inf\"} 3\n" +
            "latency_seconds_sum{op=\"get\"} 1.25\n" +
            "latency_seconds_count{op=\"get\"} 3\n",
            text);
    }

    [Fact]
    public void Write_HistogramWithoutInfinityBucket_AddsIt()
    {
        var family = new MetricFamily("size_bytes", MetricKind.Histogram, string.Empty, "By",
            [new MetricSample([], 10, 2, [new HistogramBucketSample(5, 1)])]);

        var text = PrometheusTextWriter.Write([family]);

        Assert.Contains("size_bytes_bucket{le=\"+Inf\"} 2\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(42d, "42")]
    [InlineData(0.5d, "0.5")]
    [InlineData(1e20, "1E+20")]
    public void FormatDouble_SpecialAndOrdinaryValues_UsePrometheusSpelling(double value, string expected) =>
        Assert.Equal(expected, PrometheusTextWriter.FormatDouble(value));
}
