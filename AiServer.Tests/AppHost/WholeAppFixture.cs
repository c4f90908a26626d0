using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using AiServer.Tests.Infrastructure;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AiServer.Tests.AppHost;

/// <summary>
/// The whole application started once per collection through Aspire's testing builder (DCP runs redis-server, the
/// emulator, both api replicas and the workers as real processes). Keeps the newest snapshot of every resource instance
/// and the tail of every resource's console log, which failure messages include.
/// </summary>
public sealed class WholeAppFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private readonly ConcurrentDictionary<string, ResourceEvent> _instances = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _logs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The application has not started.");

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("aiserver-app-").FullName;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The client API key the app is started with (instead of a generated one).</summary>
    public string ApiKey { get; } = "whole-app-key-" + Guid.NewGuid().ToString("N");

    /// <summary>A loopback port let through the SSRF rules (<c>Webhooks:LocalReceiver</c>) for a client webhook receiver.</summary>
    public int ReceiverPort { get; } = FreePort.Next();

    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AiServer_AppHost>(
            [
                $"--Redis:DataDirectory={DataDirectory}", $"--Jobs:OutputPath={Path.Combine(DataDirectory, "outputs")}",
                $"--Parameters:api-key={ApiKey}", $"--Webhooks:LocalReceiver=127.0.0.1:{ReceiverPort.ToString(CultureInfo.InvariantCulture)}",
            ],
            cts.Token).WaitAsync(StartTimeout, cts.Token);
        _app = await builder.BuildAsync(cts.Token).WaitAsync(StartTimeout, cts.Token);
        _ = WatchAsync(_app.Services.GetRequiredService<ResourceNotificationService>(), _app.Services.GetRequiredService<ResourceLoggerService>());
        try
        {
            await _app.StartAsync(cts.Token).WaitAsync(StartTimeout, cts.Token);
            await WaitHealthyAsync(StartTimeout);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            throw new TimeoutException($"The application did not start healthy within {StartTimeout.TotalMinutes} min.{Environment.NewLine}{Describe()}", ex);
        }
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

    /// <summary>Waits until redis, providers, both api replicas and the workers run and report healthy.</summary>
    public Task WaitHealthyAsync(TimeSpan timeout) =>
        WaitUntilAsync(() =>
            Instances("api").Count(IsHealthy) == 2 && new[] { "redis", "providers", "training-worker", "speech-worker", "lipsync-worker" }.All(n => Instances(n).Count(IsHealthy) == 1),
            timeout, "redis, providers, 2 api replicas and the three worker pools to be Running and Healthy");

    /// <summary>Polls a condition on the snapshots; the failure message carries every resource's state and log tail.</summary>
    public Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        Wait.UntilAsync(condition, timeout, () => $"{what}.{Environment.NewLine}{Describe()}");

    /// <summary>Polls an async condition (HTTP, typically); the failure message carries every resource's state and log tail.</summary>
    public Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? interval = null) =>
        Wait.UntilAsync(condition, timeout, () => $"{what}.{Environment.NewLine}{Describe()}", interval);

    /// <summary>The direct URL of one replica (bypassing DCP's proxy).</summary>
    public static Uri DirectUrl(ResourceEvent instance) => ResourceInstances.DirectUrl(instance);

    /// <summary>The process id DCP reports for an instance.</summary>
    public static int Pid(ResourceEvent instance) => ResourceInstances.Pid(instance);

    public static int Restarts(ResourceEvent instance) =>
        instance.Snapshot.Properties.FirstOrDefault(p => p.Name == "aiserver.restarts")?.Value is { } value
            ? Convert.ToInt32(value, CultureInfo.InvariantCulture)
            : 0;

    /// <summary>The worker pools of the AppHost.</summary>
    public static readonly string[] WorkerPools = ["training-worker", "speech-worker", "lipsync-worker"];

    /// <summary>The direct URLs of both api replicas and the worker pools.</summary>
    public IReadOnlyList<Uri> ServiceUrls() => [.. Instances("api").Select(DirectUrl), .. WorkerPools.SelectMany(Instances).Select(DirectUrl)];

    public Task<string> AdminTokenAsync() => ParameterAsync("admin-token");

    /// <summary>The value of one of the AppHost's parameters (the generated admin token, the development API key).</summary>
    public async Task<string> ParameterAsync(string name)
    {
        var model = App.Services.GetRequiredService<DistributedApplicationModel>();
        var parameter = model.Resources.OfType<ParameterResource>().Single(p => p.Name == name);
        return await parameter.GetValueAsync(TestContext.Current.CancellationToken) ?? throw new InvalidOperationException(name + " has no value.");
    }

    public async Task<HttpResponseMessage> AdminPostAsync(Uri service, string pathAndQuery, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(service, pathAndQuery));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? await AdminTokenAsync());
        return await Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Every instance's state, health and the tail of its console log.</summary>
    public string Describe()
    {
        var lines = new List<string> { "Resources:" };
        foreach (var e in _instances.Values.OrderBy(e => e.ResourceId, StringComparer.Ordinal))
        {
            lines.Add($"  {e.ResourceId}: {e.Snapshot.State?.Text} health={e.Snapshot.HealthStatus?.ToString() ?? "-"} exit={e.Snapshot.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"}");
        }

        foreach (var (id, log) in _logs.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            lines.Add($"--- last lines of {id} ---");
            lines.AddRange(log.TakeLast(25));
        }

        return string.Join(Environment.NewLine, lines);
    }

    private async Task WatchAsync(ResourceNotificationService notifications, ResourceLoggerService logs)
    {
        try
        {
            await foreach (var e in notifications.WatchAsync(_stopping.Token))
            {
                if (!_instances.ContainsKey(e.ResourceId))
                {
                    _ = CollectLogAsync(logs, e.ResourceId);
                }

                _instances[e.ResourceId] = e;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task CollectLogAsync(ResourceLoggerService logs, string resourceId)
    {
        var queue = _logs.GetOrAdd(resourceId, _ => new ConcurrentQueue<string>());
        try
        {
            await foreach (var batch in logs.WatchAsync(resourceId).WithCancellation(_stopping.Token))
            {
                foreach (var line in batch)
                {
                    queue.Enqueue(line.Content);
                    while (queue.Count > 200 && queue.TryDequeue(out _))
                    {
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
