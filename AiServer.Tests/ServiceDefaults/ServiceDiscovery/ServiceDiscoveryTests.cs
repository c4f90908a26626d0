using AiServer.ServiceDefaults;
using AiServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace AiServer.Tests.ServiceDefaults.ServiceDiscovery;

/// <summary>Service discovery as AddServiceDefaults() wires it (Microsoft.Extensions.ServiceDiscovery), against real backends.</summary>
public sealed class ServiceDiscoveryTests
{
    [Fact]
    public async Task HttpClient_HttpsPlusHttpWithOnlyHttpConfigured_ReachesTheServiceByName()
    {
        // Arrange: a real backend and a client host configured the way the AppHost configures referencing projects.
        await using var backend = await Backend("backend");
        await using var services = Services(new() { ["services:backend:http:0"] = backend.BaseAddress.ToString().TrimEnd('/') });
        using var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("anything");

        // Act
        var body = await client.GetStringAsync(new Uri("https+http://backend/who"), TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal("\"backend\"", body);
    }

    [Fact]
    public async Task HttpClient_TwoReplicas_SpreadsRequestsOverBoth()
    {
        // Arrange
        await using var first = await Backend("first");
        await using var second = await Backend("second");
        await using var services = Services(new()
        {
            ["services:api:http:0"] = first.BaseAddress.ToString().TrimEnd('/'),
            ["services:api:http:1"] = second.BaseAddress.ToString().TrimEnd('/'),
        });
        using var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("api-client");

        // Act
        var answers = new HashSet<string>();
        for (var i = 0; i < 8; i++)
        {
            answers.Add(await client.GetStringAsync(new Uri("http://api/who"), TestContext.Current.CancellationToken));
        }

        // Assert
        Assert.Equal(["\"first\"", "\"second\""], answers.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ServiceDefaults_OrdinaryClient_GetsTheStandardResilienceHandlerWithAspireDefaults()
    {
        // Arrange + Act
        await using var services = Services([]);
        var options = services.GetRequiredService<IOptionsMonitor<HttpStandardResilienceOptions>>().Get("anything-standard");

        // Assert: Aspire's defaults (reference/aspire-conventions.md §3).
        Assert.Equal(TimeSpan.FromSeconds(30), options.TotalRequestTimeout.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(10), options.AttemptTimeout.Timeout);
        Assert.Equal(3, options.Retry.MaxRetryAttempts);
    }

    private static Task<TestWebApp> Backend(string name) =>
        TestWebApp.StartAsync(_ => { }, app => app.MapGet("/who", () => TypedResults.Ok(name)));

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        settings["Logging:File:Enabled"] = "false";
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        return builder.Services.BuildServiceProvider();
    }
}
