using AiServer.ServiceDefaults;
using AiServer.ServiceDefaults.ServiceDiscovery;
using AiServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiServer.Tests.ServiceDefaults.ServiceDiscovery;

public sealed class ServiceEndpointResolverTests
{
    [Fact]
    public void Resolve_SeveralReplicas_RoundRobins()
    {
        var resolver = Resolver(new() { ["services:api:http:0"] = "http://127.0.0.1:5001", ["services:api:http:1"] = "http://127.0.0.1:5002" });

        var picks = Enumerable.Range(0, 4).Select(_ => resolver.Resolve(new Uri("http://api/v1/jobs?x=1")).ToString()).ToList();

        Assert.Equal(["http://127.0.0.1:5001/v1/jobs?x=1", "http://127.0.0.1:5002/v1/jobs?x=1", "http://127.0.0.1:5001/v1/jobs?x=1", "http://127.0.0.1:5002/v1/jobs?x=1"], picks);
    }

    [Fact]
    public void ResolveAll_HttpsPlusHttpWithBoth_KeepsOnlyHttps()
    {
        var resolver = Resolver(new() { ["Services:api:https:0"] = "https://10.0.0.5:443", ["Services:api:http:0"] = "http://10.0.0.5:80" });

        Assert.Equal([new Uri("https://10.0.0.5:443")], resolver.ResolveAll(new Uri("https+http://api")));
    }

    [Fact]
    public void ResolveAll_HttpsPlusHttpWithOnlyHttp_FallsBackToHttp()
    {
        var resolver = Resolver(new() { ["Services:api:http:0"] = "localhost:5123" });

        Assert.Equal([new Uri("http://localhost:5123")], resolver.ResolveAll(new Uri("https+http://api")));
    }

    [Fact]
    public void ResolveAll_NamedEndpoint_ReadsThatSection()
    {
        var resolver = Resolver(new() { ["Services:api:http:0"] = "http://a:1", ["Services:api:dashboard"] = "http://a:2" });

        Assert.Equal([new Uri("http://a:2")], resolver.ResolveAll(new Uri("http://_dashboard.api")));
    }

    [Fact]
    public void ResolveAll_DefaultSection_WinsOverSchemes()
    {
        var resolver = Resolver(new() { ["Services:api:default:0"] = "http://d:1", ["Services:api:http:0"] = "http://h:1" });

        Assert.Equal([new Uri("http://d:1")], resolver.ResolveAll(new Uri("http://api")));
    }

    [Fact]
    public void Resolve_NothingConfigured_PassesTheNameThroughWithTheFirstScheme()
    {
        var resolver = Resolver([]);

        Assert.Equal(new Uri("https://api.default.svc:8443/health"), resolver.Resolve(new Uri("https+http://api.default.svc:8443/health")));
        Assert.Equal(new Uri("http://api/health"), resolver.Resolve(new Uri("http://api/health")));
    }

    [Fact]
    public void ResolveAll_InvalidEndpoint_NamesTheServiceSection()
    {
        var resolver = Resolver(new() { ["Services:api:http:0"] = "ftp://x:21" });

        var ex = Assert.Throws<InvalidOperationException>(() => resolver.ResolveAll(new Uri("http://api")));

        Assert.Contains("Services:api has an endpoint 'ftp://x:21'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpClient_FromServiceDefaults_ReachesTheServiceByName()
    {
        // Arrange: a real backend and a client host configured the way the AppHost configures referencing projects.
        await using var backend = await TestWebApp.StartAsync(_ => { }, app => app.MapGet("/who", () => TypedResults.Ok("backend")));
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:backend:http:0"] = backend.BaseAddress.ToString().TrimEnd('/'),
            ["Logging:File:Enabled"] = "false",
        });
        builder.AddServiceDefaults();
        await using var services = builder.Services.BuildServiceProvider();
        using var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("anything");

        // Act
        var body = await client.GetStringAsync(new Uri("https+http://backend/who"), TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal("\"backend\"", body);
    }

    [Fact]
    public async Task Handler_RequestResentByARetry_ResolvesTheLogicalNameAgainEachAttempt()
    {
        var resolver = Resolver(new() { ["services:api:http:0"] = "http://127.0.0.1:5001", ["services:api:http:1"] = "http://127.0.0.1:5002" });
        var seen = new List<Uri>();
        using var handler = new ServiceDiscoveryHandler(resolver) { InnerHandler = new RecordingHandler(seen) };
        using var invoker = new HttpMessageInvoker(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://api/v1/jobs");

        // The same request object twice, as the resilience handler sends it on a retry.
        await invoker.SendAsync(request, TestContext.Current.CancellationToken);
        await invoker.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal([new Uri("http://127.0.0.1:5001/v1/jobs"), new Uri("http://127.0.0.1:5002/v1/jobs")], seen);
    }

    private sealed class RecordingHandler(List<Uri> seen) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Add(request.RequestUri!);
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        }
    }

    private static ServiceEndpointResolver Resolver(Dictionary<string, string?> settings) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
}
