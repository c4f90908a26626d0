using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;

namespace AiServer.AppHost.Hosting;

/// <summary>
/// Runs the declared resources as local processes: allocates ports, injects Aspire's environment, starts resources in
/// dependency order, waits for their health, restarts crashed ones, and stops them all (SIGTERM, then SIGKILL).
/// </summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private static readonly string[] s_notInherited = ["ASPNETCORE_URLS", "DOTNET_LAUNCH_PROFILE", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT"];
    private readonly DistributedApplicationBuilder _builder;
    private readonly DistributedApplicationOptions _options;
    private readonly List<Replica> _replicas = [];
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Channel<string> _console = Channel.CreateBounded<string>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly Task _consoleWriter;
    private readonly Lock _restartLock = new();
    private int _started;
    private int _disposed;

    internal DistributedApplication(DistributedApplicationBuilder builder)
    {
        _builder = builder;
        _options = builder.Options;
        _consoleWriter = _options.Output is null ? Task.Run(WriteConsoleAsync) : Task.CompletedTask;
    }

    /// <summary>Creates a builder with default options.</summary>
    public static DistributedApplicationBuilder CreateBuilder(string[] args) => new(args, new DistributedApplicationOptions());

    /// <summary>Creates a builder with the given options (tests: a temporary working directory, output to the test log).</summary>
    public static DistributedApplicationBuilder CreateBuilder(string[] args, DistributedApplicationOptions options) => new(args, options);

    /// <summary>Every replica of every resource.</summary>
    public IReadOnlyList<Replica> Replicas => _replicas;

    /// <summary>The HTTP endpoint of a project replica.</summary>
    public Uri GetEndpoint(string resourceName, int replica = 0) =>
        _replicas.FirstOrDefault(r => r.Resource.Name == resourceName && r.Index == replica)?.Endpoint
        ?? throw new DistributedApplicationException($"Resource '{resourceName}' has no HTTP endpoint {replica}.");

    /// <summary>The connection string of a resource (e.g. Redis).</summary>
    public string GetConnectionString(string resourceName) =>
        (_builder.Resources.OfType<IResourceWithConnectionString>().FirstOrDefault(r => r.Name == resourceName)?.ConnectionString)
        ?? throw new DistributedApplicationException($"Resource '{resourceName}' has no connection string.");

    /// <summary>The value of a parameter (e.g. the generated admin token).</summary>
    public string GetParameter(string name) =>
        _builder.Parameters.FirstOrDefault(p => p.Name == name)?.Value
        ?? throw new DistributedApplicationException($"No parameter named '{name}'.");

    /// <summary>Starts every resource and returns once all are healthy; throws with the failing resource's output otherwise.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The application was started already.");
        }

        Allocate();
        var healthy = new Dictionary<IResource, Task>();
        foreach (var resource in _builder.Resources)
        {
            foreach (var dependency in resource.WaitsFor)
            {
                await healthy[dependency].WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            var replicas = _replicas.Where(r => r.Resource == resource).ToList();
            if (resource is RedisResource { ExternalConnectionString: not null } external)
            {
                healthy[resource] = WaitForRedisAsync(external, null, cancellationToken);
                continue;
            }

            foreach (var replica in replicas)
            {
                replica.Start();
            }

            healthy[resource] = Task.WhenAll(replicas.Select(r => WaitHealthyAsync(r, cancellationToken)));
        }

        await Task.WhenAll(healthy.Values).ConfigureAwait(false);
        foreach (var replica in _replicas)
        {
            replica.UnexpectedExit += OnUnexpectedExit;
        }
    }

    /// <summary>Starts, prints the resource table, runs until Ctrl+C or SIGTERM, then stops everything. Returns the exit code.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => { c.Cancel = true; stop.Cancel(); });
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; stop.Cancel(); });
        try
        {
            await StartAsync(stop.Token).ConfigureAwait(false);
            Write(DescribeResources());
            foreach (var parameter in _builder.Parameters.Where(p => p.Secret))
            {
                Write($"[apphost] {parameter.Name}: {parameter.Value}  (set Parameters__{parameter.Name} to choose it)");
            }

            Write("[apphost] All resources are running. Press Ctrl+C to stop.");
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }
        catch (DistributedApplicationException ex)
        {
            Write($"[apphost] error: {ex.Message}");
            return 1;
        }
        finally
        {
            Write("[apphost] Stopping...");
            await StopAsync().ConfigureAwait(false);
            Write("[apphost] Stopped.");
            await FlushConsoleAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops every replica, dependents before their dependencies.</summary>
    public async Task StopAsync()
    {
        lock (_restartLock)
        {
            _lifetime.Cancel();
        }

        var dependencyOrder = _builder.Resources.ToList();
        for (var i = dependencyOrder.Count - 1; i >= 0; i--)
        {
            var resource = dependencyOrder[i];
            await Task.WhenAll(_replicas.Where(r => r.Resource == resource).Select(r => r.StopAsync(_options.StopTimeout))).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync().ConfigureAwait(false);
        _console.Writer.TryComplete();
        _probe.Dispose();
        _lifetime.Dispose();
    }

    /// <summary>A table of resources, replicas, process ids, states and URLs.</summary>
    public string DescribeResources()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{"resource",-14} {"pid",-8} {"state",-10} endpoint");
        foreach (var r in _replicas)
        {
            var endpoint = r.Endpoint?.ToString()
                ?? (r.Resource is IResourceWithConnectionString c ? RedactPassword(c.ConnectionString) : string.Empty);
            sb.AppendLine(CultureInfo.InvariantCulture, $"{r.Name,-14} {r.ProcessId,-8} {r.State,-10} {endpoint}");
        }

        return sb.ToString().TrimEnd();
    }

    /// <summary>Every replica's recent output, for a failing test or a start-up error.</summary>
    public string DescribeRecentOutput()
    {
        var sb = new StringBuilder();
        foreach (var r in _replicas)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"----- {r.Name} (state {r.State}, pids {string.Join(",", r.ProcessIds)}) -----");
            foreach (var line in r.RecentOutput.TakeLast(80))
            {
                sb.AppendLine(line);
            }
        }

        return sb.ToString();
    }

    private void Allocate()
    {
        foreach (var resource in _builder.Resources)
        {
            switch (resource)
            {
                case RedisResource redis when redis.ExternalConnectionString is null:
                    redis.Port = FreePort.Next();
                    redis.Password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
                    Directory.CreateDirectory(redis.DataDirectory);
                    _replicas.Add(new Replica(redis, 0, null, () => RedisStartInfo(redis), Write));
                    break;
                case RedisResource redis:
                    _replicas.Add(new Replica(redis, 0, null, () => throw new InvalidOperationException("external"), Write) { State = ReplicaState.Running });
                    break;
                case ProjectResource project:
                    for (var i = 0; i < project.Replicas; i++)
                    {
                        project.AllocatedEndpoints.Add(new Uri($"http://127.0.0.1:{FreePort.Next()}"));
                    }

                    break;
            }
        }

        foreach (var project in _builder.Resources.OfType<ProjectResource>())
        {
            for (var i = 0; i < project.Replicas; i++)
            {
                var index = i;
                _replicas.Add(new Replica(project, index, project.AllocatedEndpoints[index], () => ProjectStartInfo(project, index), Write));
            }
        }
    }

    private ProcessStartInfo RedisStartInfo(RedisResource redis)
    {
        var server = FindOnPath("redis-server") ?? throw new DistributedApplicationException(
            "redis-server was not found on PATH. Install it (Debian/Ubuntu: apt-get install -y redis-server; ./run.sh does this when run as root) " +
            $"or use an existing Redis: set ConnectionStrings__{redis.Name}=host:port[,password=...] for the AppHost.");
        // The password goes in a file only this user can read, not on the command line where ps shows it.
        var config = Path.Combine(redis.DataDirectory, "aiserver-redis.conf");
        File.WriteAllText(config, $"requirepass {redis.Password}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var start = new ProcessStartInfo(server) { WorkingDirectory = redis.DataDirectory };
        foreach (var arg in new[]
                 {
                     config,
                     "--port", redis.Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--dir", redis.DataDirectory, "--appendonly", "yes", "--save", string.Empty,
                     "--daemonize", "no", "--protected-mode", "yes",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        PrepareEnvironment(start);
        return start;
    }

    private ProcessStartInfo ProjectStartInfo(ProjectResource project, int index)
    {
        var projectFile = Path.Combine(_options.SolutionDirectory!, project.Project.ProjectPath);
        var assemblyName = Path.GetFileNameWithoutExtension(projectFile);
        var dll = Path.Combine(Path.GetDirectoryName(projectFile)!, "bin", _options.Configuration!, "net10.0", assemblyName + ".dll");
        if (!File.Exists(dll))
        {
            throw new DistributedApplicationException($"'{dll}' does not exist: build the solution first (dotnet build -c {_options.Configuration}).");
        }

        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _options.WorkingDirectory };
        start.ArgumentList.Add(dll);
        PrepareEnvironment(start);
        var env = start.Environment;
        var endpoint = project.AllocatedEndpoints[index];
        var instance = $"{project.Name}-{index}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        env["ASPNETCORE_URLS"] = endpoint.ToString().TrimEnd('/');
        env["ASPNETCORE_ENVIRONMENT"] = _options.EnvironmentName;
        env["DOTNET_ENVIRONMENT"] = _options.EnvironmentName;
        env["OTEL_SERVICE_NAME"] = project.Name;
        env["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={instance}";
        env["LOGGING__CONSOLE__FORMATTERNAME"] = "simple";
        env["Logging__File__Path"] = Path.Combine(_options.WorkingDirectory!, "logs", $"{project.Name}-{index}.log");
        if (_options.EnvironmentName == "Development")
        {
            env["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
            env["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
            env["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
        }

        foreach (var reference in project.References)
        {
            switch (reference)
            {
                case IResourceWithConnectionString withConnection:
                    env[$"ConnectionStrings__{reference.Name}"] = withConnection.ConnectionString;
                    foreach (var (key, value) in withConnection.GetReferenceEnvironment())
                    {
                        env[key] = value;
                    }

                    break;
                case ProjectResource service:
                    for (var i = 0; i < service.AllocatedEndpoints.Count; i++)
                    {
                        env[$"services__{service.Name}__http__{i}"] = service.AllocatedEndpoints[i].ToString().TrimEnd('/');
                    }

                    break;
            }
        }

        foreach (var (key, value) in project.Environment)
        {
            env[key] = value;
        }

        foreach (var callback in project.EnvironmentCallbacks)
        {
            callback(env);
        }

        return start;
    }

    private static void PrepareEnvironment(ProcessStartInfo start)
    {
        foreach (var key in s_notInherited)
        {
            start.Environment.Remove(key);
        }
    }

    private async Task WaitHealthyAsync(Replica replica, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        timeout.CancelAfter(_options.StartTimeout);
        try
        {
            while (true)
            {
                if (replica.HasExited)
                {
                    replica.State = ReplicaState.Failed;
                    throw new DistributedApplicationException(
                        $"{replica.Name} exited during start-up. Its last output:{Environment.NewLine}{string.Join(Environment.NewLine, replica.RecentOutput.TakeLast(40))}");
                }

                if (await IsHealthyAsync(replica, timeout.Token).ConfigureAwait(false))
                {
                    replica.State = ReplicaState.Running;
                    Write($"[apphost] {replica.Name} is healthy{(replica.Endpoint is null ? string.Empty : $" at {replica.Endpoint}")}");
                    return;
                }

                await Task.Delay(200, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !_lifetime.IsCancellationRequested)
        {
            throw new DistributedApplicationException(
                $"{replica.Name} was not healthy within {_options.StartTimeout.TotalSeconds:0} s. Its last output:{Environment.NewLine}{string.Join(Environment.NewLine, replica.RecentOutput.TakeLast(40))}");
        }
    }

    private async Task<bool> IsHealthyAsync(Replica replica, CancellationToken cancellationToken)
    {
        switch (replica.Resource)
        {
            case RedisResource redis:
                return await RedisPing.PingAsync(redis.ConnectionString!, cancellationToken).ConfigureAwait(false);
            case { HealthCheckPath: { } path } when replica.Endpoint is not null:
                try
                {
                    using var response = await _probe.GetAsync(new Uri(replica.Endpoint, path), cancellationToken).ConfigureAwait(false);
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return false;
                }

            default:
                return !replica.HasExited;
        }
    }

    private async Task WaitForRedisAsync(RedisResource redis, Replica? replica, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StartTimeout);
        while (!await RedisPing.PingAsync(redis.ConnectionString!, timeout.Token).ConfigureAwait(false))
        {
            if (timeout.IsCancellationRequested)
            {
                throw new DistributedApplicationException($"Redis '{redis.Name}' at {RedactPassword(redis.ConnectionString)} did not answer PING within {_options.StartTimeout.TotalSeconds:0} s.");
            }

            await Task.Delay(200, CancellationToken.None).ConfigureAwait(false);
        }

        if (replica is not null)
        {
            replica.State = ReplicaState.Running;
        }
    }

    private void OnUnexpectedExit(Replica replica, int exitCode)
    {
        if (_lifetime.IsCancellationRequested)
        {
            return;
        }

        if (!_options.RestartCrashedResources)
        {
            replica.State = ReplicaState.Failed;
            Write($"[apphost] {replica.Name} exited with code {exitCode}");
            return;
        }

        replica.State = ReplicaState.Restarting;
        var delay = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Min(replica.Restarts, 5)) / 2));
        Write($"[apphost] {replica.Name} exited with code {exitCode}; restarting in {delay.TotalSeconds:0.#} s");
        _ = RestartAsync(replica, delay);
    }

    private async Task RestartAsync(Replica replica, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _lifetime.Token).ConfigureAwait(false);
            lock (_restartLock)
            {
                // StopAsync cancels _lifetime under this lock: a restart either starts before it (and is then
                // stopped with the rest) or not at all.
                if (_lifetime.IsCancellationRequested)
                {
                    return;
                }

                replica.Restarts++;
                replica.Start();
            }

            await WaitHealthyAsync(replica, _lifetime.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            // Stopping: no restart.
        }
        catch (Exception ex) when (ex is DistributedApplicationException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            replica.State = ReplicaState.Failed;
            Write($"[apphost] restart of {replica.Name} failed: {ex.Message}");
        }
    }

    private void Write(string line)
    {
        if (_options.Output is { } output)
        {
            output(line);
            return;
        }

        // Never block a child's output pump on a slow console (a paused pager, a slow log collector): lines go
        // through a bounded queue to one writer, the oldest dropped when it is full.
        _console.Writer.TryWrite(line);
    }

    private async Task WriteConsoleAsync()
    {
        await foreach (var line in _console.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await Console.Out.WriteLineAsync(line).ConfigureAwait(false);
        }
    }

    private async Task FlushConsoleAsync()
    {
        _console.Writer.TryComplete();
        await _consoleWriter.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
    }

    private static string RedactPassword(string? connectionString) =>
        connectionString is null
            ? string.Empty
            : string.Join(',', connectionString.Split(',').Select(p => p.StartsWith("password=", StringComparison.OrdinalIgnoreCase) ? "password=***" : p));

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
}
