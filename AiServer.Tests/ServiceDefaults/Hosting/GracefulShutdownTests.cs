using System.Net;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.ServiceDefaults.Hosting;

public sealed class GracefulShutdownTests(RedisServer redis)
{
    [Fact]
    public async Task Sigterm_WithRequestInFlight_ReadinessTurns503AndRequestCompletesAndExitCodeIsZero()
    {
        // Arrange: a real service process with a readiness delay and the opt-in slow endpoint.
        var port = FreePort.Next();
        var baseUri = new Uri($"http://127.0.0.1:{port}");
        await using var api = ServiceProcess.StartDll(SolutionPaths.ProjectDll("AiServer.Workers"), new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = baseUri.ToString().TrimEnd('/'),
            ["ConnectionStrings__redis"] = redis.ConnectionString,
            ["Shutdown__ReadinessDelay"] = "00:00:03",
            ["Shutdown__DrainTimeout"] = "00:00:20",
            ["Diagnostics__EnableDelayEndpoint"] = "true",
            ["Logging__File__Enabled"] = "false",
            ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information", // "Request starting ..." lines
        });
        using var client = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
        await Wait.UntilAsync(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60), () => $"the service's readiness. Output:{Environment.NewLine}{api.Output}");

        // Act
        var inFlight = client.GetAsync("/debug/delay?ms=4000", TestContext.Current.CancellationToken);
        await api.WaitForOutputAsync("/debug/delay", TimeSpan.FromSeconds(10)); // the host logs "Request starting ..."
        api.Terminate();

        // Assert
        await Wait.UntilAsync(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(3), "readiness to report 503 after SIGTERM");
        var response = await inFlight;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, await api.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("readiness now reports 503", api.Output, StringComparison.Ordinal);
    }
}
