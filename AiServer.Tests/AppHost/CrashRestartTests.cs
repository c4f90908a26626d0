using System.Diagnostics;
using System.Net;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.AppHost;

/// <summary>Resources that die are restarted by the AppHost (with backoff), and the services ride it out.</summary>
[Collection(WholeAppCollection.Name)]
public sealed class CrashRestartTests(WholeAppFixture app)
{
    [Fact]
    public async Task RedisServerKilled_ReadinessTurns503_ThenTheServerIsRestartedAndEveryServiceIsReadyAgain()
    {
        // Arrange
        await app.WaitHealthyAsync(TimeSpan.FromMinutes(1));
        var redis = app.Instances("redis").Single();
        var pid = WholeAppFixture.Pid(redis);
        var restartsBefore = WholeAppFixture.Restarts(redis);
        var services = app.ServiceUrls();
        var saw503 = services.ToDictionary(s => s, _ => false);
        using var watching = new CancellationTokenSource();
        var watchers = services.Select(s => Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested && !saw503[s])
            {
                try
                {
                    using var response = await app.Http.GetAsync(new Uri(s, "/health/ready"), watching.Token);
                    saw503[s] |= response.StatusCode == HttpStatusCode.ServiceUnavailable;
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
                {
                }

                await Task.Delay(20, CancellationToken.None);
            }
        })).ToList();

        // Act
        using (var process = Process.GetProcessById(pid))
        {
            process.Kill();
        }

        // Assert: every service reported not ready while Redis was gone...
        await app.WaitUntilAsync(() => saw503.Values.All(v => v), TimeSpan.FromSeconds(30), "every service's /health/ready to answer 503 after redis-server was killed");
        await watching.CancelAsync();
        await Task.WhenAll(watchers);

        // ...the AppHost started a new redis-server, and every service is ready again without being restarted.
        await app.WaitUntilAsync(() => app.Instances("redis").Single() is var r && WholeAppFixture.IsHealthy(r) && WholeAppFixture.Pid(r) != pid,
            TimeSpan.FromSeconds(60), "a new redis-server process, Running and Healthy");
        Assert.Equal(restartsBefore + 1, WholeAppFixture.Restarts(app.Instances("redis").Single()));
        foreach (var service in services)
        {
            await app.WaitUntilAsync(async () => (await app.Http.GetAsync(new Uri(service, "/health/ready"))).StatusCode == HttpStatusCode.OK,
                TimeSpan.FromSeconds(60), $"{service}/health/ready to answer 200 again");
        }

        await app.WaitHealthyAsync(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task ApiReplicaKilled_IsRestartedAndServesAgain()
    {
        // Arrange
        await app.WaitHealthyAsync(TimeSpan.FromMinutes(1));
        var victim = app.Instances("api")[0];
        var other = app.Instances("api")[1];
        var launcher = WholeAppFixture.Pid(victim);
        var restartsBefore = WholeAppFixture.Restarts(victim);

        // Act: SIGKILL the service process (DCP launches projects through `dotnet run`, so it is the launcher's child).
        var target = ProcessTree.Children(launcher).DefaultIfEmpty(launcher).First();
        using (var process = Process.GetProcessById(target))
        {
            process.Kill();
        }

        // Assert: the same replica runs again in a new process and answers; the other replica was left alone.
        await app.WaitUntilAsync(async () =>
            {
                var r = app.Instances("api").Single(i => i.ResourceId == victim.ResourceId);
                if (!WholeAppFixture.IsHealthy(r) || WholeAppFixture.Pid(r) == launcher || WholeAppFixture.Restarts(r) != restartsBefore + 1)
                {
                    return false;
                }

                using var ready = await app.Http.GetAsync(new Uri(WholeAppFixture.DirectUrl(r), "/health/ready"));
                return ready.StatusCode == HttpStatusCode.OK;
            },
            TimeSpan.FromMinutes(2), $"{victim.ResourceId} to be restarted (new process, one more restart counted) and answer /health/ready with 200",
            TimeSpan.FromMilliseconds(200));
        Assert.Equal(WholeAppFixture.Pid(other), WholeAppFixture.Pid(app.Instances("api").Single(i => i.ResourceId == other.ResourceId)));
    }
}
