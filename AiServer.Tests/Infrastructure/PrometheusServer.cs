using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace AiServer.Tests.Infrastructure;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c> package, installed by test.sh) on a free loopback port with a
/// configuration the test writes, in a temporary directory; its HTTP API for queries, targets, rules and alerts.
/// Every wait is bounded and its failure message carries Prometheus' log.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private const string Binary = "/usr/bin/prometheus";
    private readonly ConcurrentQueue<string> _log = new();
    private readonly Process _process;

    private PrometheusServer(Process process, Uri baseUri, string directory)
    {
        _process = process;
        BaseUri = baseUri;
        Directory = directory;
        Http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Where Prometheus serves, e.g. <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>The temporary directory with the configuration, rules and TSDB.</summary>
    public string Directory { get; }

    /// <summary>A client for the HTTP API.</summary>
    public HttpClient Http { get; }

    /// <summary>The last lines Prometheus logged.</summary>
    public string Log => string.Join(Environment.NewLine, _log.TakeLast(60));

    /// <summary>Writes <paramref name="files"/> (name to content; one must be <c>prometheus.yml</c>) and starts Prometheus on them.</summary>
    /// <param name="files">The configuration file and the rule files it names.</param>
    /// <param name="startTimeout">How long to wait for <c>/-/ready</c>.</param>
    /// <returns>The running server; dispose it.</returns>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyDictionary<string, string> files, TimeSpan startTimeout)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: test.sh installs Debian's 'prometheus' package (apt-get install prometheus).");
        }

        var directory = System.IO.Directory.CreateTempSubdirectory("aiserver-prometheus-").FullName;
        foreach (var (name, content) in files)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, name), content);
        }

        var port = FreePort.Next();
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in new[]
        {
            "--config.file=" + Path.Combine(directory, "prometheus.yml"),
            "--storage.tsdb.path=" + Path.Combine(directory, "data"),
            $"--web.listen-address=127.0.0.1:{port}",
            "--log.level=info",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start };
        var server = new PrometheusServer(process, new Uri($"http://127.0.0.1:{port}/"), directory);
        process.OutputDataReceived += (_, e) => server.AddLog(e.Data);
        process.ErrorDataReceived += (_, e) => server.AddLog(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Wait.UntilAsync(
                async () => process.HasExited
                    ? throw new InvalidOperationException($"prometheus exited with {process.ExitCode}")
                    : (await server.Http.GetAsync("-/ready")).StatusCode == HttpStatusCode.OK,
                startTimeout,
                () => $"Prometheus on port {port} to report /-/ready. Log:{Environment.NewLine}{server.Log}",
                TimeSpan.FromMilliseconds(200));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs an instant query; returns the whole API answer (<c>status</c>, <c>data</c> or <c>errorType</c>/<c>error</c>).</summary>
    /// <param name="promql">The expression.</param>
    /// <returns>The JSON answer; a bad expression answers <c>status: error</c>, <c>errorType: bad_data</c>.</returns>
    public async Task<JsonNode> QueryAsync(string promql)
    {
        using var response = await Http.GetAsync("api/v1/query?query=" + Uri.EscapeDataString(promql));
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())
            ?? throw new InvalidOperationException($"Prometheus answered {(int)response.StatusCode} with no JSON.");
    }

    /// <summary>The <c>data</c> of a GET on the API (e.g. <c>api/v1/targets</c>, <c>api/v1/alerts</c>, <c>api/v1/rules</c>).</summary>
    /// <param name="path">The API path.</param>
    /// <returns>The <c>data</c> node.</returns>
    public async Task<JsonNode> GetDataAsync(string path)
    {
        var json = JsonNode.Parse(await Http.GetStringAsync(path));
        return json?["status"]?.GetValue<string>() == "success" && json["data"] is { } data
            ? data
            : throw new InvalidOperationException($"GET {path} answered {json?.ToJsonString()}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(cts.Token);
        }

        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans temporary folders; a file still being closed is no failure.
        }
    }

    private void AddLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Enqueue(line);
        while (_log.Count > 400 && _log.TryDequeue(out _))
        {
        }
    }
}
