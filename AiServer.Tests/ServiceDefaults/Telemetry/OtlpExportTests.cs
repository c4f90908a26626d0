using System.Collections.Concurrent;
using System.Net;
using System.Text;
using AiServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AiServer.Tests.ServiceDefaults.Telemetry;

public sealed class OtlpExportTests(RedisServer redis)
{
    [Fact]
    public async Task Service_WithOtlpEndpoint_ExportsMetricsTracesAndLogsAndKeepsProbesOutOfTraces()
    {
        // Arrange: an OTLP/HTTP receiver in the test and a real service process pointed at it.
        var received = new ConcurrentQueue<(string Signal, string ContentType, byte[] Body)>();
        await using var collector = await TestWebApp.StartAsync(_ => { }, app => app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            received.Enqueue((signal, request.ContentType ?? string.Empty, body.ToArray()));
            return Results.Ok();
        }));
        var port = FreePort.Next();
        var baseUri = new Uri($"http://127.0.0.1:{port}");
        await using var service = ServiceProcess.StartDll(SolutionPaths.ProjectDll("AiServer.Workers"), new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = baseUri.ToString().TrimEnd('/'),
            ["ConnectionStrings__redis"] = redis.ConnectionString,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.BaseAddress.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "workers-under-test",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
            ["Diagnostics__EnableDelayEndpoint"] = "true",
            ["Logging__File__Enabled"] = "false",
            ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information", // "Request starting ..." lines
        });
        using var client = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(10) };
        await Wait.UntilAsync(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60), () => $"the service's readiness. Output:{Environment.NewLine}{service.Output}");

        // Act
        for (var i = 0; i < 3; i++)
        {
            await client.GetAsync("/health", TestContext.Current.CancellationToken);
        }

        await client.GetAsync("/debug/delay?ms=1", TestContext.Current.CancellationToken);

        // Assert
        bool Has(string signal, string text) => received.Any(r => r.Signal == signal && Encoding.UTF8.GetString(r.Body).Contains(text, StringComparison.Ordinal));
        await Wait.UntilAsync(() => Has("traces", "GET /debug/delay") && Has("metrics", "http.requests") && Has("logs", "Request starting"),
            TimeSpan.FromSeconds(30), () => $"OTLP traces, metrics and logs to arrive (got: {string.Join(", ", received.Select(r => $"{r.Signal}:{r.Body.Length}"))}). Output:{Environment.NewLine}{service.Output}");
        Assert.All(received, r => Assert.Equal("application/x-protobuf", r.ContentType));
        Assert.True(Has("metrics", "workers-under-test"), "the resource carries OTEL_SERVICE_NAME");
        Assert.False(Has("traces", "/health"), "health probes must stay out of traces");
    }
}
