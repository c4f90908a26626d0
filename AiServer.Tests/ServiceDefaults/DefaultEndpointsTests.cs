using System.Net;
using System.Text.Json;
using AiServer.ServiceDefaults;
using AiServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AiServer.Tests.ServiceDefaults;

public sealed class DefaultEndpointsTests : IAsyncLifetime
{
    private TestWebApp _app = null!;

    public async ValueTask InitializeAsync() =>
        _app = await TestWebApp.StartAsync(
            b => b.AddServiceDefaults(),
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapGet("/v1/things/{id}", (int id) => TypedResults.Ok(new { id }));
                app.MapGet("/v1/boom", IResult () => throw new InvalidOperationException("boom"));
            });

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("/health")]
    [InlineData("/health/live")]
    [InlineData("/alive")]
    public async Task LivenessEndpoints_ProcessServing_Return200Healthy(string path)
    {
        var response = await _app.Client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("healthy", json.RootElement.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/health/live")]
    [InlineData("/alive")]
    [InlineData("/health/ready")]
    [InlineData("/health/detailed")]
    [InlineData("/metrics")]
    [InlineData("/metrics/json")]
    [InlineData("/metrics/circuit-breakers")]
    public async Task ProbeAndScrapeEndpoints_HeadAnswersAndOtherMethodsAre405(string path)
    {
        var ct = TestContext.Current.CancellationToken;

        using var head = await _app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), ct);
        Assert.True(head.StatusCode == HttpStatusCode.OK, $"HEAD {path} answered {(int)head.StatusCode}");
        foreach (var method in new[] { HttpMethod.Trace, HttpMethod.Delete, HttpMethod.Post, HttpMethod.Put })
        {
            using var response = await _app.Client.SendAsync(new HttpRequestMessage(method, path), ct);
            Assert.True(response.StatusCode == HttpStatusCode.MethodNotAllowed, $"{method} {path} answered {(int)response.StatusCode}, expected 405");
        }
    }

    [Fact]
    public async Task Ready_NotDraining_Returns200WithDrainingCheck()
    {
        var response = await _app.Client.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Contains(json.RootElement.GetProperty("checks").EnumerateArray(), c => c.GetProperty("service").GetString() == "draining");
    }

    [Fact]
    public async Task Detailed_Default_ListsFilesystemAndMemoryInTheSeedShape()
    {
        var response = await _app.Client.GetAsync("/health/detailed", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var root = json.RootElement;
        Assert.Equal("healthy", root.GetProperty("status").GetString());
        var checks = root.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("service").GetString()!);
        Assert.Contains("filesystem", checks.Keys);
        Assert.Contains("memory", checks.Keys);
        foreach (var check in checks.Values)
        {
            Assert.Equal("healthy", check.GetProperty("status").GetString());
            Assert.True(check.GetProperty("responseTime").GetDouble() >= 0);
            Assert.Equal(JsonValueKind.Object, check.GetProperty("details").ValueKind);
        }

        Assert.True(checks["memory"].GetProperty("details").GetProperty("residentBytes").GetInt64() > 0);
        Assert.True(checks["filesystem"].GetProperty("details").GetProperty("freeBytes").GetInt64() > 0);
    }

    [Fact]
    public async Task Metrics_AfterRequests_CountsByRouteAndStatusAndLeavesProbesOut()
    {
        var ct = TestContext.Current.CancellationToken;
        await _app.Client.GetAsync("/v1/things/1", ct);
        await _app.Client.GetAsync("/v1/things/2", ct);
        await _app.Client.GetAsync("/v1/boom", ct);
        await _app.Client.GetAsync("/health", ct);

        var response = await _app.Client.GetAsync("/metrics", ct);
        var text = PrometheusScrape.Normalize(await response.Content.ReadAsStringAsync(ct));

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("http_requests_total{method=\"GET\",route=\"/v1/things/{id}\",status=\"200\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("http_request_errors_total{method=\"GET\",route=\"/v1/boom\",status=\"500\"} 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("http_requests_total{method=\"GET\",route=\"/health\"", text, StringComparison.Ordinal);
        Assert.Contains("\nhttp_request_errors_total{method=\"GET\",route=\"unmatched\",status=\"500\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("\ndotnet_assembly_count_value ", text, StringComparison.Ordinal);
        foreach (var breaker in new[] { "replicate", "supabase", "elevenlabs", "synclabs", "huggingface", "bfl", "file-download" })
        {
            Assert.Matches($"\ncircuit_breaker_failures_total{{name=\"{breaker}\"}} \\d+\n", text);
            Assert.Matches($"\ncircuit_breaker_state{{name=\"{breaker}\"}} \\d\n", text);
        }

        foreach (var name in new[] { "process_uptime_seconds", "process_resident_memory_bytes", "process_managed_heap_bytes", "process_cpu_seconds_total" })
        {
            Assert.Contains($"\n{name} ", text, StringComparison.Ordinal);
        }

        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsJson_Default_ServesTheSameFamilies()
    {
        var ct = TestContext.Current.CancellationToken;
        await _app.Client.GetAsync("/v1/things/3", ct);

        using var json = JsonDocument.Parse(await _app.Client.GetStringAsync("/metrics/json", ct));

        var names = json.RootElement.EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
        Assert.Contains("http_requests_total", names);
        Assert.Contains("process_uptime_seconds", names);
    }

    [Fact]
    public async Task Metrics_RealScrape_PassesPromtool()
    {
        var ct = TestContext.Current.CancellationToken;
        await _app.Client.GetAsync("/v1/things/1", ct);
        await _app.Client.GetAsync("/v1/boom", ct);
        var text = await _app.Client.GetStringAsync("/metrics", ct);

        var findings = await Promtool.LintMetricsAsync(text, ct);

        Assert.True(findings.Length == 0, $"promtool check metrics reported:\n{findings}");
    }
}
