using System.Collections.Concurrent;
using System.Net;
using AiServer.AppHost;
using AiServer.AppHost.Hosting;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.AppHost;

public sealed class AppHostModelTests
{
    [Fact]
    public async Task StartAsync_WholeModel_EveryReplicaReadyAndStopLeavesNoProcess()
    {
        // Arrange
        var output = new ConcurrentQueue<string>();
        var app = AppModel.Declare(DistributedApplication.CreateBuilder([], TestOptions(output))).Build();
        var pids = new List<int>();
        try
        {
            // Act
            using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
            {
                await app.StartAsync(cts.Token);
            }

            // Assert: redis, the provider emulator, 2 api and 1 workers, all running and ready.
            Assert.Equal(["api-0", "api-1", "providers-0", "redis", "workers-0"], app.Replicas.Select(r => r.Name).Order().ToArray());
            Assert.All(app.Replicas, r => Assert.Equal(ReplicaState.Running, r.State));
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            foreach (var replica in app.Replicas.Where(r => r.Endpoint is not null))
            {
                var response = await client.GetAsync(new Uri(replica.Endpoint!, replica.Resource.HealthCheckPath), TestContext.Current.CancellationToken);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{replica.Name} {replica.Resource.HealthCheckPath} answered {(int)response.StatusCode}");
            }

            Assert.NotEqual(app.GetEndpoint("api", 0), app.GetEndpoint("api", 1));
            pids.AddRange(app.Replicas.Select(r => r.ProcessId));
            Assert.All(pids, pid => Assert.True(ServiceProcess.IsAlive(pid), $"process {pid} should run"));
        }
        catch
        {
            TestContext.Current.TestOutputHelper?.WriteLine(string.Join(Environment.NewLine, output));
            throw;
        }
        finally
        {
            await app.StopAsync();
        }

        Assert.All(pids, pid => Assert.False(ServiceProcess.IsAlive(pid), $"process {pid} outlived StopAsync"));
        Assert.All(app.Replicas, r => Assert.Equal(ReplicaState.Stopped, r.State));
    }

    [Fact]
    public async Task RedisKilled_UnderTheWholeModel_ReadinessTurns503ThenServicesRecoverWithoutRestart()
    {
        // Arrange
        var output = new ConcurrentQueue<string>();
        await using var app = AppModel.Declare(DistributedApplication.CreateBuilder([], TestOptions(output))).Build();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            await app.StartAsync(cts.Token);
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var api = app.GetEndpoint("api", 0);
        var detailed = await client.GetStringAsync(new Uri(api, "/health/detailed"), TestContext.Current.CancellationToken);
        Assert.Contains("\"service\":\"redis\",\"status\":\"healthy\"", detailed, StringComparison.Ordinal);
        var redis = app.Replicas.Single(r => r.Resource.Name == "redis");
        var servicePids = app.Replicas.Where(r => r.Endpoint is not null).Select(r => r.ProcessId).ToList();
        string Output() => string.Join(Environment.NewLine, output);

        // Act
        System.Diagnostics.Process.GetProcessById(redis.ProcessId).Kill();

        // Assert: readiness notices, the AppHost restarts Redis, the services reconnect by themselves.
        await Wait.UntilAsync(async () => (await client.GetAsync(new Uri(api, "/health/ready"))).StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(20), () => $"api-0 readiness to report 503 with Redis down. Output:{Environment.NewLine}{Output()}");
        await Wait.UntilAsync(async () =>
            {
                foreach (var replica in app.Replicas.Where(r => r.Endpoint is not null))
                {
                    if ((await client.GetAsync(new Uri(replica.Endpoint!, replica.Resource.HealthCheckPath))).StatusCode != HttpStatusCode.OK)
                    {
                        return false;
                    }
                }

                return true;
            },
            TimeSpan.FromSeconds(60), () => $"every service to be ready again after Redis came back. Output:{Environment.NewLine}{Output()}");
        Assert.Equal(1, redis.Restarts);
        Assert.Equal(servicePids, app.Replicas.Where(r => r.Endpoint is not null).Select(r => r.ProcessId).ToList());
    }

    [Fact]
    public async Task RedisKilled_WhileRunning_IsRestartedOnTheSamePort()
    {
        // Arrange: redis alone is enough to see supervision.
        var output = new ConcurrentQueue<string>();
        var builder = DistributedApplication.CreateBuilder([], TestOptions(output));
        builder.AddRedis("redis");
        await using var app = builder.Build();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await app.StartAsync(cts.Token);
        }

        var redis = app.Replicas.Single();
        var connectionString = app.GetConnectionString("redis");
        var firstPid = redis.ProcessId;

        // Act
        System.Diagnostics.Process.GetProcessById(firstPid).Kill();

        // Assert
        await Wait.UntilAsync(async () => redis.ProcessId != firstPid && redis.State == ReplicaState.Running
                && await RedisPing.PingAsync(connectionString, CancellationToken.None),
            TimeSpan.FromSeconds(30), () => $"the AppHost to restart redis-server on the same port. Output:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
        Assert.Equal(1, redis.Restarts);
        Assert.Equal(connectionString, app.GetConnectionString("redis"));
        var (_, _, password) = RedisResource.Split(connectionString);
        var commandLine = await File.ReadAllTextAsync($"/proc/{redis.ProcessId}/cmdline", TestContext.Current.CancellationToken);
        Assert.DoesNotContain(password, commandLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppHostProcess_KilledWithSigkill_LeavesNoChildBehind()
    {
        // Arrange: the real AppHost executable.
        var workDir = Directory.CreateTempSubdirectory("aiserver-apphost-").FullName;
        await using var appHost = ServiceProcess.StartDll(SolutionPaths.ProjectDll("AiServer.AppHost"), new Dictionary<string, string>(), workDir);
        await appHost.WaitForOutputAsync("All resources are running", TimeSpan.FromSeconds(120));
        Assert.False(appHost.HasExited, appHost.Output);
        var childPids = ChildPidsFromTable(appHost.Output);
        Assert.Equal(5, childPids.Count);

        // Act
        appHost.Kill();

        // Assert
        await Wait.UntilAsync(() => childPids.All(pid => !ServiceProcess.IsAlive(pid)), TimeSpan.FromSeconds(30), () => $"children {string.Join(",", childPids)} to exit after the AppHost was killed");
    }

    [Fact]
    public async Task AppHostProcess_TerminalClosedWithSighup_StopsChildrenGracefullyAndExitsZero()
    {
        var workDir = Directory.CreateTempSubdirectory("aiserver-apphost-").FullName;
        await using var appHost = ServiceProcess.StartDll(SolutionPaths.ProjectDll("AiServer.AppHost"), new Dictionary<string, string>(), workDir);
        await appHost.WaitForOutputAsync("All resources are running", TimeSpan.FromSeconds(120));
        var childPids = ChildPidsFromTable(appHost.Output);

        using (var hangup = System.Diagnostics.Process.Start("kill", ["-HUP", appHost.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await hangup.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, await appHost.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("[apphost] Stopped.", appHost.Output, StringComparison.Ordinal);
        Assert.All(childPids, pid => Assert.False(ServiceProcess.IsAlive(pid), $"child {pid} outlived the AppHost"));
    }

    [Fact]
    public async Task AppHostProcess_NoRedisServerOnPath_ExitsWithMessageNamingThePackage()
    {
        var dotnetDir = Path.GetDirectoryName(Environment.ProcessPath)!;
        await using var appHost = ServiceProcess.StartDll(SolutionPaths.ProjectDll("AiServer.AppHost"), new Dictionary<string, string>
        {
            ["PATH"] = dotnetDir,
        });

        var exitCode = await appHost.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        Assert.Contains("redis-server was not found on PATH", appHost.Output, StringComparison.Ordinal);
        Assert.Contains("apt-get install -y redis-server", appHost.Output, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__redis", appHost.Output, StringComparison.Ordinal);
    }

    private static DistributedApplicationOptions TestOptions(ConcurrentQueue<string> output) => new()
    {
        WorkingDirectory = Directory.CreateTempSubdirectory("aiserver-apphost-").FullName,
        StartTimeout = TimeSpan.FromSeconds(90),
        StopTimeout = TimeSpan.FromSeconds(20),
        Output = output.Enqueue,
    };

    private static List<int> ChildPidsFromTable(string output) =>
        output.Split(Environment.NewLine)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length >= 3 && p[2] == nameof(ReplicaState.Running) && int.TryParse(p[1], out _))
            .Select(p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
}
