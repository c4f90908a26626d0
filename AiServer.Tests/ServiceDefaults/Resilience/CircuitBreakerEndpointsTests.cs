using AiServer.ServiceDefaults.Security;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.Tests.ServiceDefaults.Resilience;

public sealed class CircuitBreakerEndpointsTests : IAsyncLifetime
{
    private const string Token = "s3cret-admin-token";
    private WebApplication? _app;
    private HttpClient? _client;

    private HttpClient Client => _client!;

    public async ValueTask InitializeAsync() => (_app, _client) = await StartAsync(Token);

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private static async Task<(WebApplication, HttpClient)> StartAsync(string? token)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        if (token is not null)
        {
            builder.Configuration["Admin:Token"] = token;
        }

        builder.Services.AddProblemDetails();
        builder.AddFleetCircuitBreakers();
        var app = builder.Build();
        app.MapCircuitBreakerEndpoints();
        app.MapCircuitBreakerAdminApi();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return (app, app.GetTestClient());
    }

    private HttpRequestMessage Admin(string path, string? bearer)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return request;
    }

    [Fact]
    public async Task GetCircuitBreakers_Always_ListsEveryPresetWithState()
    {
        using var response = await Client.GetAsync("/metrics/circuit-breakers", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("local", json.RootElement.GetProperty("sync").GetString());
        var replicate = json.RootElement.GetProperty("breakers").EnumerateArray().Single(b => b.GetProperty("name").GetString() == "replicate");
        Assert.Equal("CLOSED", replicate.GetProperty("state").GetString());
        Assert.Equal(0, replicate.GetProperty("stateValue").GetInt32());
        Assert.Equal(5, replicate.GetProperty("options").GetProperty("failureThreshold").GetInt32());
        Assert.Equal(7, json.RootElement.GetProperty("breakers").GetArrayLength());
    }

    [Fact]
    public async Task ForceOpen_NoToken_Returns401()
    {
        using var response = await Client.SendAsync(Admin("/admin/circuit-breakers/replicate/force-open", null), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task ForceOpen_WrongToken_Returns403()
    {
        using var response = await Client.SendAsync(Admin("/admin/circuit-breakers/replicate/force-open", "wrong"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task ForceOpen_UnknownBreaker_Returns404ProblemJson()
    {
        using var response = await Client.SendAsync(Admin("/admin/circuit-breakers/nope/force-open", Token), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("nope", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForceOpenThenReset_ValidToken_ChangesTheBreaker()
    {
        var registry = _app!.Services.GetRequiredService<ICircuitBreakerRegistry>();

        using var opened = await Client.SendAsync(Admin("/admin/circuit-breakers/bfl/force-open?reason=provider%20incident", Token), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        var body = await opened.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("OPEN", body.GetProperty("state").GetString());
        Assert.Equal("OPEN", body.GetProperty("forced").GetString());
        Assert.Equal("provider incident", body.GetProperty("openReason").GetString());
        Assert.Equal(CircuitState.Open, registry.Get("bfl").State);

        using var closed = await Client.SendAsync(Admin("/admin/circuit-breakers/bfl/force-close", Token), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.Equal(ForcedState.Closed, registry.Get("bfl").GetStats().Forced);

        using var reset = await Client.SendAsync(Admin("/admin/circuit-breakers/bfl/reset", Token), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(ForcedState.None, registry.Get("bfl").GetStats().Forced);
        Assert.Equal(CircuitState.Closed, registry.Get("bfl").State);
    }

    [Fact]
    public async Task AdminEndpoints_NoTokenConfigured_DoNotExist()
    {
        var (app, client) = await StartAsync(token: null);
        await using (app)
        using (client)
        {
            using var response = await client.SendAsync(Admin("/admin/circuit-breakers/replicate/force-open", "anything"), TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal(CircuitState.Closed, app.Services.GetRequiredService<ICircuitBreakerRegistry>().Get("replicate").State);
        }
    }

    [Fact]
    public async Task Registry_KeyedService_ResolvesTheNamedBreaker()
    {
        var keyed = _app!.Services.GetRequiredKeyedService<ICircuitBreaker>("replicate");

        Assert.Same(_app.Services.GetRequiredService<ICircuitBreakerRegistry>().Get("replicate"), keyed);
        await Task.CompletedTask;
    }

    [Fact]
    public void Registry_Names_PresetsExistUnknownCreatedOnDemandInvalidRejected()
    {
        var registry = _app!.Services.GetRequiredService<ICircuitBreakerRegistry>();

        Assert.True(registry.TryGet("file-download", out _));
        Assert.False(registry.TryGet("made-up", out _));
        Assert.Equal(CircuitBreakerOptions.DefaultFailureThreshold, registry.Get("made-up").Options.FailureThreshold);
        Assert.True(registry.TryGet("made-up", out _));
        var error = Assert.Throws<ArgumentException>(() => registry.Get("Not Valid"));
        Assert.StartsWith("'Not Valid' is not a valid circuit breaker name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_NoRedis_HealthyLocalMode()
    {
        var health = _app!.Services.GetRequiredService<HealthCheckService>();

        var report = await health.CheckHealthAsync(r => r.Name == "breaker-sync", TestContext.Current.CancellationToken);

        var entry = report.Entries["breaker-sync"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("local", entry.Data["mode"]);
        Assert.Contains("ready", entry.Tags);
        Assert.Contains("detailed", entry.Tags);
    }

    [Fact]
    public void TokenEquals_ComparesWholeToken()
    {
        Assert.True(AdminToken.TokenEquals(Token, Token));
        Assert.False(AdminToken.TokenEquals(Token + "x", Token));
        Assert.False(AdminToken.TokenEquals(string.Empty, Token));
    }
}
