using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.Operations;

/// <summary>
/// The services as an operator runs them, scraped by a real Prometheus: a redis-server, the provider emulator, two api
/// processes and a workers process (the built dlls), and Prometheus with a copy of <c>deploy/prometheus/alerts.yml</c>
/// whose <c>for</c> durations are cut to <see cref="TestFor"/>. Scrapes every 2 s, evaluates rules every second.
/// </summary>
public sealed partial class PrometheusFleetFixture : IAsyncLifetime
{
    /// <summary>The <c>for</c> of every rule in the test copy: long enough to see an alert pending, short enough to wait for.</summary>
    public static readonly TimeSpan TestFor = TimeSpan.FromSeconds(10);

    /// <summary>Bound of every wait on the services or Prometheus.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private readonly List<ServiceProcess> _services = [];
    private RedisServer? _redis;
    private EmulatorHost? _emulator;
    private PrometheusServer? _prometheus;

    private readonly string _outputs = Directory.CreateTempSubdirectory("aiserver-ops-outputs-").FullName;

    /// <summary>The client API key of the job routes.</summary>
    public string ApiKey { get; } = "ops-key-" + Guid.NewGuid().ToString("N");

    /// <summary>The admin token the services were given.</summary>
    public string AdminToken { get; } = "ops-test-" + Guid.NewGuid().ToString("N");

    /// <summary>The two api replicas, scraped as job <c>aiserver-api</c>.</summary>
    public IReadOnlyList<Uri> ApiUrls { get; private set; } = [];

    /// <summary>The workers, scraped as job <c>aiserver-workers</c>.</summary>
    public Uri WorkersUrl { get; private set; } = null!;

    public PrometheusServer Prometheus => _prometheus ?? throw new InvalidOperationException("Prometheus has not started.");

    public EmulatorHost Emulator => _emulator ?? throw new InvalidOperationException("The emulator has not started.");

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The alert rules as shipped.</summary>
    public static string AlertRulesPath => Path.Combine(SolutionPaths.Root, "deploy", "prometheus", "alerts.yml");

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _emulator = await EmulatorHost.StartAsync();
        var apiPorts = new[] { FreePort.Next(), FreePort.Next() };
        var workersPort = FreePort.Next();
        ApiUrls = [.. apiPorts.Select(p => new Uri($"http://127.0.0.1:{p}/"))];
        WorkersUrl = new Uri($"http://127.0.0.1:{workersPort}/");
        foreach (var (url, project, name) in ApiUrls.Select(u => (u, "AiServer.Api", "api")).Append((WorkersUrl, "AiServer.Workers", "workers")))
        {
            _services.Add(ServiceProcess.StartDll(SolutionPaths.ProjectDll(project), ServiceEnvironment(url, name)));
        }

        foreach (var url in ApiUrls.Append(WorkersUrl))
        {
            await Wait.UntilAsync(async () => (await Http.GetAsync(new Uri(url, "health/ready"))).StatusCode == HttpStatusCode.OK,
                Bound, () => $"{url} to report ready.{Environment.NewLine}{Describe()}", TimeSpan.FromMilliseconds(200));
        }

        _prometheus = await PrometheusServer.StartAsync(
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["prometheus.yml"] = $"""
                    global:
                      scrape_interval: 2s
                      scrape_timeout: 2s
                      evaluation_interval: 1s
                    rule_files: [alerts.yml]
                    scrape_configs:
                      - job_name: aiserver-api
                        static_configs:
                          - targets: [{string.Join(", ", ApiUrls.Select(u => u.Authority))}]
                      - job_name: aiserver-workers
                        static_configs:
                          - targets: [{WorkersUrl.Authority}]
                    """,
                ["alerts.yml"] = ShortenFor(await File.ReadAllTextAsync(AlertRulesPath)),
            },
            Bound);
    }

    public async ValueTask DisposeAsync()
    {
        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }

        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }

        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        Http.Dispose();
    }

    /// <summary>The alert rules with every <c>for</c> set to <see cref="TestFor"/>.</summary>
    public static string ShortenFor(string rules) =>
        ForLine().Replace(rules, "${indent}for: " + TestFor.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s");

    /// <summary>POSTs an admin action (e.g. <c>admin/circuit-breakers/replicate/force-open?reason=x</c>) to the first api replica.</summary>
    public async Task AdminPostAsync(string pathAndQuery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ApiUrls[0], pathAndQuery));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"POST {pathAndQuery} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Runs one image-caption job to its end through the first api replica (the workers take it).</summary>
    public async Task SubmitJobAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ApiUrls[0], "v1/jobs/image-caption"))
        {
            Content = new StringContent($$"""{"image_url":"{{Emulator.Url("files/uploads/ops/photo.png")}}"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        request.Headers.TryAddWithoutValidation("Prefer", "wait=25");
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK && body.Contains("\"succeeded\"", StringComparison.Ordinal), $"the job should end succeeded within 25 s: {(int)response.StatusCode} {body}{Environment.NewLine}{Describe()}");
    }

    /// <summary>GETs a path on a service with the admin token (for <c>/health/detailed?refresh=true</c>).</summary>
    public async Task<HttpStatusCode> AdminGetAsync(Uri service, string pathAndQuery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(service, pathAndQuery));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await Http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>
    /// Establishes a healthy fleet for a test that needs one: drops the cached provider probes on every service
    /// (<c>?refresh=true</c>) until <c>/health/detailed</c> answers 200 everywhere (a provider's cool-down from an earlier
    /// test has ended by then).
    /// </summary>
    public async Task WaitAllHealthyAsync()
    {
        foreach (var service in ApiUrls.Append(WorkersUrl))
        {
            await Wait.UntilAsync(async () => await AdminGetAsync(service, "health/detailed?refresh=true") == HttpStatusCode.OK, Bound,
                () => $"{service}health/detailed to answer 200.{Environment.NewLine}{Describe()}", TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>The state of every process and the tails of their output and Prometheus' log, for failure messages.</summary>
    public string Describe()
    {
        var lines = new List<string>();
        foreach (var (service, i) in _services.Select((s, i) => (s, i)))
        {
            lines.Add($"--- service {i} (pid {service.Id}, {(service.HasExited ? "exited " + service.ExitCode : "running")}) ---");
            lines.AddRange(service.Output.Split(Environment.NewLine).TakeLast(20));
        }

        if (_prometheus is not null)
        {
            lines.Add("--- prometheus ---");
            lines.Add(_prometheus.Log);
        }

        return string.Join(Environment.NewLine, lines);
    }

    private Dictionary<string, string> ServiceEnvironment(Uri url, string serviceName)
    {
        var emulator = Emulator;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = url.GetLeftPart(UriPartial.Authority),
            ["ConnectionStrings__redis"] = _redis!.ConnectionString,
            ["Admin__Token"] = AdminToken,
            ["Auth__ApiKeys__0"] = ApiKey,
            ["Jobs__OutputPath"] = _outputs,
            ["Providers__FileDownload__AllowedHosts__0"] = emulator.BaseUri.Authority,
            ["OTEL_SERVICE_NAME"] = serviceName,
            ["Logging__File__Enabled"] = "false",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning", // the content root has no appsettings.json; keep scrapes out of the output
            ["Providers__HuggingFace__BaseUrl"] = emulator.Url("huggingface/hf-inference"),
            ["Providers__HuggingFace__HubUrl"] = emulator.Url("huggingface"),
            ["Providers__HuggingFace__SpaceUrl"] = emulator.Url("huggingface/spaces/fancyfeast/joy-caption-alpha-two"),
            ["Providers__HuggingFace__ApiKey"] = "emulator-key",
        };
        foreach (var (section, prefix) in new[] { ("Replicate", "replicate"), ("Supabase", "supabase"), ("ElevenLabs", "elevenlabs"), ("SyncLabs", "synclabs"), ("Bfl", "bfl") })
        {
            environment[$"Providers__{section}__BaseUrl"] = emulator.Url(prefix);
            environment[$"Providers__{section}__ApiKey"] = "emulator-key";
        }

        return environment;
    }

    [GeneratedRegex(@"^(?<indent>\s+)for: \S+$", RegexOptions.Multiline)]
    private static partial Regex ForLine();
}
