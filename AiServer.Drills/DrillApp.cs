using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AiServer.Tests.Infrastructure;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiServer.Drills;

/// <summary>
/// The whole application, started once for every drill through Aspire's testing builder: DCP runs redis-server, the
/// provider emulator, both api replicas and the three worker pools as real processes, exactly as <c>./run.sh</c> does.
/// The drill settings differ from the defaults only where the emulator or the per-key rate limit would otherwise be
/// the thing measured (see <see cref="Settings"/>).
/// </summary>
internal sealed class DrillApp : IAsyncDisposable
{
    public static readonly string[] WorkerPools = ["training-worker", "speech-worker", "lipsync-worker"];

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private readonly ConcurrentDictionary<string, ResourceEvent> _instances = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private DistributedApplication? _app;

    private DrillApp()
    {
    }

    /// <summary>What the drills change from the defaults, and why; printed into docs/DRILLS.md.</summary>
    public static IReadOnlyList<(string Resource, string Key, string Value, string Why)> Settings { get; } =
    [
        ("api", "Auth__RateLimit__PermitsPerSecond", "100000", "one API key drives all the load; its token bucket (default 100/s) would answer 429 instead of measuring the system"),
        ("api", "Auth__RateLimit__Burst", "100000", "as above"),
        ("workers", "Workers__Concurrency", "64", "jobs of one kind a pool runs at once (default 8): the emulator's jobs take 2 s, so 8 caps a kind at ~3 jobs/s"),
        ("providers", "Emulator__MaxRecordedRequests", "1000000", "the request journal the drills count provider calls in (default 10,000)"),
        ("providers", "Emulator__ElevenLabs__VoiceLimit", "1000000", "every voice-clone job creates a voice (default 10 slots)"),
        ("providers", "Emulator__ElevenLabs__MaxConcurrentRequests", "1000", "TTS concurrency gate (default 10)"),
        ("providers", "Emulator__Bfl__MaxActiveTasks", "100000", "in-flight BFL tasks (default 24)"),
    ];

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The application has not started.");

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("aiserver-drills-").FullName;

    public string ApiKey { get; } = "drill-key-" + Guid.NewGuid().ToString("N");

    public Uri ApiUrl { get; private set; } = null!;

    public Uri EmulatorUrl { get; private set; } = null!;

    public string AdminToken { get; private set; } = string.Empty;

    public string RedisConnectionString { get; private set; } = string.Empty;

    /// <summary>For the harness's own calls (sampling, emulator control, job status): not the measured client.</summary>
    public HttpClient Http { get; } = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = TimeSpan.FromSeconds(15) };

    public static async Task<DrillApp> StartAsync(Action<string> log)
    {
        var drill = new DrillApp();
        using var cts = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AiServer_AppHost>(
            [$"--Redis:DataDirectory={Path.Combine(drill.DataDirectory, "redis")}", $"--Jobs:OutputPath={Path.Combine(drill.DataDirectory, "outputs")}", $"--Parameters:api-key={drill.ApiKey}", "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:AiServer.AppHost.Resources=None"],
            cts.Token).WaitAsync(StartTimeout, cts.Token);
        // The AppHost's own log: warnings and up, without the health checks' noise while resources stop and start.
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)
            .AddFilter("Aspire.Hosting.Dcp", LogLevel.Error)
            .AddFilter("AiServer.AppHost.Resources", LogLevel.None));
        foreach (var (resource, key, value, _) in Settings)
        {
            foreach (var name in resource == "workers" ? WorkerPools : [resource])
            {
                builder.CreateResourceBuilder<ProjectResource>(name).WithEnvironment(key, value);
            }
        }

        drill._app = await builder.BuildAsync(cts.Token).WaitAsync(StartTimeout, cts.Token);
        _ = drill.WatchAsync(drill._app.Services.GetRequiredService<ResourceNotificationService>());
        log("starting the AppHost (redis, providers, 2 api replicas, 3 worker pools) ...");
        await drill._app.StartAsync(cts.Token).WaitAsync(StartTimeout, cts.Token);
        await drill.WaitHealthyAsync(StartTimeout);
        drill.ApiUrl = drill._app.GetEndpoint("api", "http");
        drill.EmulatorUrl = drill._app.GetEndpoint("providers", "http");
        drill.AdminToken = await drill.ParameterAsync("admin-token");
        drill.RedisConnectionString = await drill._app.GetConnectionStringAsync("redis", cts.Token) ?? throw new InvalidOperationException("redis has no connection string.");
        return drill;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_app is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await _app.StopAsync(cts.Token).WaitAsync(TimeSpan.FromMinutes(1));
            await _app.DisposeAsync();
        }

        Http.Dispose();
        _stopping.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a process that is going away; the temp folder is cleaned by the OS.
        }
    }

    /// <summary>The newest snapshot of every instance (replica) of a resource.</summary>
    public IReadOnlyList<ResourceEvent> Instances(string resourceName) =>
        [.. _instances.Values.Where(e => e.Resource.Name == resourceName).OrderBy(e => e.ResourceId, StringComparer.Ordinal)];

    public static bool IsHealthy(ResourceEvent e) => ResourceInstances.IsHealthy(e);

    public bool AllHealthy() =>
        Instances("api").Count(IsHealthy) == 2 && new[] { "redis", "providers" }.Concat(WorkerPools).All(n => Instances(n).Count(IsHealthy) == 1);

    public Task WaitHealthyAsync(TimeSpan timeout) =>
        Until(AllHealthy, timeout, "redis, providers, 2 api replicas and the three worker pools to be Running and Healthy");

    /// <summary>Polls <paramref name="condition"/> every 100 ms; throws naming <paramref name="what"/> and every resource's state.</summary>
    public async Task Until(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}. {Describe()}");
            }

            await Task.Delay(100);
        }
    }

    public string Describe() => "Resources: " + string.Join(", ", _instances.Values.OrderBy(e => e.ResourceId, StringComparer.Ordinal)
        .Select(e => $"{e.ResourceId}={e.Snapshot.State?.Text}/{e.Snapshot.HealthStatus?.ToString() ?? "-"}"));

    public static Uri DirectUrl(ResourceEvent instance) => ResourceInstances.DirectUrl(instance);

    public static int Pid(ResourceEvent instance) => ResourceInstances.Pid(instance);

    /// <summary>
    /// The process of the service itself: DCP launches a project through <c>dotnet run</c>, so the pid it reports is the
    /// launcher's and the service is its child (killing the launcher would orphan the service); for an executable
    /// (redis-server) it is the process itself.
    /// </summary>
    public static int ServicePid(ResourceEvent instance)
    {
        var launcher = Pid(instance);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (int.Parse(fields[1], CultureInfo.InvariantCulture) == launcher)
                    {
                        return pid;
                    }
                }
                catch (IOException)
                {
                    // the process ended while we looked
                }
            }
        }

        return launcher;
    }

    /// <summary>Every AiServer service instance (both api replicas, the pools): name and direct URL.</summary>
    public IReadOnlyList<(string Name, Uri Url)> Services()
    {
        var api = Instances("api").Select((e, i) => ($"api-{i}", DirectUrl(e)));
        var pools = WorkerPools.SelectMany(p => Instances(p).Select(e => (p, DirectUrl(e))));
        return [.. api, .. pools];
    }

    /// <summary>Runs an Aspire resource command (the dashboard's Stop/Start/Restart) on one instance.</summary>
    public async Task CommandAsync(string resourceId, string command)
    {
        var commands = App.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync(resourceId, command, _stopping.Token);
        if (!result.Success)
        {
            throw new InvalidOperationException($"Command {command} on {resourceId} failed: {result.Message}");
        }
    }

    public async Task<string> ParameterAsync(string name)
    {
        var model = App.Services.GetRequiredService<DistributedApplicationModel>();
        var parameter = model.Resources.OfType<ParameterResource>().Single(p => p.Name == name);
        return await parameter.GetValueAsync(_stopping.Token) ?? throw new InvalidOperationException(name + " has no value.");
    }

    public async Task<JsonNode?> GetJsonAsync(Uri url, bool admin = false, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (admin)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        }

        using var response = await Http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken);
    }

    public async Task<JsonNode?> AdminPostAsync(Uri url, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await Http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken);
    }

    /// <summary>Adds an emulator fault (<c>POST /_emulator/faults</c>).</summary>
    public async Task AddFaultAsync(object fault)
    {
        using var response = await Http.PostAsJsonAsync(new Uri(EmulatorUrl, "/_emulator/faults"), fault);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The emulator refused the fault: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Forgets the emulator's faults and recorded requests, so each drill counts only its own calls.</summary>
    public async Task ClearEmulatorAsync()
    {
        foreach (var path in new[] { "/_emulator/faults", "/_emulator/requests" })
        {
            using var response = await Http.DeleteAsync(new Uri(EmulatorUrl, path));
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>Every request the emulator recorded (its journal), oldest first.</summary>
    public async Task<IReadOnlyList<EmulatorRequest>> EmulatorRequestsAsync(string? provider = null)
    {
        var query = "/_emulator/requests?limit=1000000" + (provider is null ? string.Empty : "&provider=" + provider);
        var node = await GetJsonAsync(new Uri(EmulatorUrl, query)) ?? throw new InvalidOperationException("The emulator journal is empty JSON.");
        var items = node as JsonArray ?? node["requests"]?.AsArray() ?? node["items"]?.AsArray() ?? throw new InvalidOperationException("Unexpected emulator journal shape: " + node.ToJsonString()[..Math.Min(200, node.ToJsonString().Length)]);
        return [.. items.Select(i => new EmulatorRequest(
            (string)i!["provider"]!,
            (string)i["method"]!,
            (string)i["path"]!,
            (int?)i["statusCode"] ?? 0,
            DateTimeOffset.Parse((string)i["receivedAt"]!, CultureInfo.InvariantCulture),
            (string?)i["faultId"]))];
    }

    private async Task WatchAsync(ResourceNotificationService notifications)
    {
        try
        {
            await foreach (var e in notifications.WatchAsync(_stopping.Token))
            {
                _instances[e.ResourceId] = e;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>One request of the emulator's journal.</summary>
internal sealed record EmulatorRequest(string Provider, string Method, string Path, int StatusCode, DateTimeOffset ReceivedAt, string? FaultId);
