using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.Jobs;

/// <summary>An api process with no API key configured (job routes closed) and one with a tiny per-key rate limit.</summary>
public sealed class ApiKeyLimitsTests(RedisServer redis)
{
    [Fact]
    public async Task NoKeyConfigured_JobRoutesAnswer401ToEveryone()
    {
        await using var api = await StartApiAsync(new Dictionary<string, string>());

        using var client = new HttpClient { BaseAddress = api.Url, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "any-key-at-all-0123456789");
        using var response = await client.GetAsync("v1/jobs", TestContext.Current.CancellationToken);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Auth:ApiKeys", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OverTheKeysRate_Answers429WithRetryAfter_OtherKeysUnaffected()
    {
        await using var api = await StartApiAsync(new Dictionary<string, string>
        {
            ["Auth__ApiKeys__0"] = "limited-key-0123456789abcdef",
            ["Auth__ApiKeys__1"] = "other-key-0123456789abcdef",
            ["Auth__RateLimit__PermitsPerSecond"] = "1",
            ["Auth__RateLimit__Burst"] = "3",
        });
        using var limited = Client(api.Url, "limited-key-0123456789abcdef");
        using var other = Client(api.Url, "other-key-0123456789abcdef");

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? rejected = null;
        for (var i = 0; i < 10 && rejected is null; i++)
        {
            var response = await limited.GetAsync("v1/jobs", TestContext.Current.CancellationToken);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                rejected = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.True(rejected is not null, "10 quick requests over a burst of 3 should meet a 429: " + string.Join(", ", statuses));
        using (rejected)
        {
            Assert.True(rejected.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "429 should say when to retry");
            Assert.Equal("application/problem+json", rejected.Content.Headers.ContentType?.MediaType);
        }

        using var unaffected = await other.GetAsync("v1/jobs", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, unaffected.StatusCode);
    }

    [Fact]
    public async Task MalformedKeyEntry_FailsTheStartNamingTheKey()
    {
        var port = FreePort.Next();
        await using var api = ServiceProcess.StartDll(SolutionPaths.ProjectDll("AiServer.Api"), Environment(port, new Dictionary<string, string> { ["Auth__ApiKeys__0"] = "sha256:not-hex" }));

        var exitCode = await api.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Auth:ApiKeys:0", api.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("not-hex", api.Output.Replace("Auth:ApiKeys:0: a sha256: entry", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    private static HttpClient Client(Uri url, string key)
    {
        var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private Dictionary<string, string> Environment(int port, Dictionary<string, string> extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__redis"] = redis.ConnectionString,
            ["Redis__KeyPrefix"] = "keys-" + Guid.NewGuid().ToString("N")[..8] + ":",
            ["Logging__File__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return environment;
    }

    private async Task<RunningApi> StartApiAsync(Dictionary<string, string> extra)
    {
        var port = FreePort.Next();
        var process = ServiceProcess.StartDll(SolutionPaths.ProjectDll("AiServer.Api"), Environment(port, extra));
        var url = new Uri($"http://127.0.0.1:{port}/");
        await process.WaitReadyAsync(url, "the api", TimeSpan.FromSeconds(60));
        return new RunningApi(process, url);
    }

    private sealed record RunningApi(ServiceProcess Process, Uri Url) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }
}
