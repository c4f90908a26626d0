using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AiServer.ServiceDefaults;
using AiServer.ServiceDefaults.Redis;
using AiServer.ServiceDefaults.Resilience;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.ServiceDefaults.Resilience;

/// <summary>Manual breaker actions land in a fleet-wide audit trail (a Redis stream) readable with the admin token.</summary>
public sealed class BreakerAuditTests(RedisServer redis)
{
    private const string Token = "audit-test-token";

    [Fact]
    public async Task ManualActions_ThroughOneInstance_AreInTheAuditTrailOfEveryInstanceNewestFirst()
    {
        // Arrange: two api instances on one Redis, under a key prefix of their own.
        var prefix = $"audit-{Guid.NewGuid():N}:";
        await using var first = await StartAsync(prefix);
        await using var second = await StartAsync(prefix);

        // Act: force open and reset, both through the first instance.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(first, "/admin/circuit-breakers/replicate/force-open?reason=bad%20release")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(first, "/admin/circuit-breakers/replicate/reset")).StatusCode);

        // Assert: no token, no trail; with it, both instances read the same two entries, newest first.
        Assert.Equal(HttpStatusCode.Unauthorized, (await second.Client.GetAsync("/admin/audit", TestContext.Current.CancellationToken)).StatusCode);
        foreach (var app in new[] { first, second })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/audit?limit=10");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var response = await app.Client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal("redis", body.RootElement.GetProperty("source").GetString());
            var entries = body.RootElement.GetProperty("entries").EnumerateArray().ToList();
            Assert.Equal(["reset", "force-open"], entries.Select(e => e.GetProperty("action").GetString()));
            Assert.All(entries, e => Assert.Equal("replicate", e.GetProperty("breaker").GetString()));
            Assert.Equal("bad release", entries[1].GetProperty("reason").GetString());
            Assert.StartsWith("admin-token@", entries[1].GetProperty("actor").GetString(), StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(entries[1].GetProperty("instance").GetString()), "the entry should name the instance that took the action");
        }

        Assert.Equal("2", (await redis.CliAsync("XLEN", prefix + "audit")).Trim());
    }

    [Fact]
    public async Task Audit_LimitOutOfRange_Returns400NamingLimit()
    {
        await using var app = await StartAsync($"audit-{Guid.NewGuid():N}:");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/audit?limit=0");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        using var response = await app.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("limit", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private Task<TestWebApp> StartAsync(string prefix) =>
        TestWebApp.StartAsync(
            b =>
            {
                b.AddServiceDefaults();
                b.AddAiServerRedisClient("redis");
            },
            a =>
            {
                a.MapDefaultEndpoints();
                a.MapCircuitBreakerAdminApi();
            },
            new Dictionary<string, string?>
            {
                ["ConnectionStrings:redis"] = redis.ConnectionString,
                ["Redis:KeyPrefix"] = prefix,
                ["Admin:Token"] = Token,
            });

    private static async Task<HttpResponseMessage> PostAsync(TestWebApp app, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return await app.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
