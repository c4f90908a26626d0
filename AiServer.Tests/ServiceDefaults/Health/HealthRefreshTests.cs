using System.Net;
using System.Net.Http.Headers;
using AiServer.ServiceDefaults;
using AiServer.ServiceDefaults.Health;
using AiServer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AiServer.Tests.ServiceDefaults.Health;

public sealed class HealthRefreshTests : IAsyncLifetime
{
    private const string Token = "health-refresh-token";
    private readonly CountingCache _cache = new();
    private TestWebApp _app = null!;

    public async ValueTask InitializeAsync() =>
        _app = await TestWebApp.StartAsync(
            b =>
            {
                b.AddServiceDefaults();
                b.Services.AddSingleton<IHealthCheckCache>(_cache);
            },
            app => app.MapDefaultEndpoints(),
            new Dictionary<string, string?> { ["Admin:Token"] = Token });

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Detailed_WithoutRefresh_DoesNotInvalidateAndNeedsNoToken()
    {
        var response = await _app.Client.GetAsync("/health/detailed", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, _cache.Invalidations);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("wrong", HttpStatusCode.Forbidden)]
    public async Task Refresh_WithoutValidToken_IsRefusedAndCachesStay(string? token, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/detailed?refresh=true");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var response = await _app.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, _cache.Invalidations);
    }

    [Fact]
    public async Task Refresh_WithAdminToken_InvalidatesCachesThenReports()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/detailed?refresh=true");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        var response = await _app.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"checks\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(1, _cache.Invalidations);
    }

    private sealed class CountingCache : IHealthCheckCache
    {
        private int _invalidations;

        public int Invalidations => Volatile.Read(ref _invalidations);

        public void Invalidate() => Interlocked.Increment(ref _invalidations);
    }
}
