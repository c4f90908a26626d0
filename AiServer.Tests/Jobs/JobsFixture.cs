using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.Jobs;

/// <summary>
/// The job system as real processes: the provider emulator, one api and one workers process (every kind) on the
/// redis-server of their own. Tests of the "Jobs" collection share it and run one after
/// another (some inject faults into the emulator or kill the workers).
/// </summary>
public sealed class JobsFixture : IAsyncLifetime
{
    public const string KeyA = "test-key-a-0123456789abcdef";
    public const string KeyB = "test-key-b-0123456789abcdef";
    public const string AdminToken = "jobs-admin-token-0123456789abcdef";

    /// <summary>The emulator's Replicate webhook signing secret (its default), which the api verifies with.</summary>
    public const string ReplicateWebhookSecret = "whsec_YWlzZXJ2ZXItcHJvdmlkZXItZW11bGF0b3Ita2V5";

    public const string BflWebhookSecret = "bfl-test-webhook-secret";

    private RedisServer _redis = null!;
    private ServiceProcess? _api;
    private ServiceProcess? _workers;

    public EmulatorHost Emulator { get; private set; } = null!;

    public Uri Api { get; private set; } = null!;

    public string Prefix { get; } = "jobs-" + Guid.NewGuid().ToString("N")[..8] + ":";

    public string OutputPath { get; } = Directory.CreateTempSubdirectory("aiserver-outputs-").FullName;

    public RedisServer Redis => _redis;

    /// <summary>A loopback port the SSRF rules allow, for the tests' client webhook receiver.</summary>
    public int ReceiverPort { get; } = FreePort.Next();

    public ServiceProcess ApiProcess => _api ?? throw new InvalidOperationException("The api is not running.");

    public HttpClient ClientA { get; private set; } = null!;

    public HttpClient ClientB { get; private set; } = null!;

    public HttpClient Anonymous { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public ServiceProcess Workers => _workers ?? throw new InvalidOperationException("The workers are not running.");

    /// <summary>The running workers process's own endpoint (health and metrics).</summary>
    public Uri WorkersUrl { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        Emulator = await EmulatorHost.StartAsync(
        [
            .. EmulatorHost.KeyedArguments,
            "--Emulator:JobDuration", "00:00:00.300",
            "--Emulator:Replicate:JobDuration", "00:00:02",
            "--Emulator:ElevenLabs:JobDuration", "00:00:00.100",
            "--Emulator:HuggingFace:ModelLoadingTime", "00:00:00",
        ]);
        var port = FreePort.Next();
        Api = new Uri($"http://127.0.0.1:{port}/");
        _api = ServiceProcess.StartDll(SolutionPaths.ProjectDll("AiServer.Api"), Environment(port));
        await StartWorkersAsync();
        ClientA = Client(KeyA);
        ClientB = Client(KeyB);
        Anonymous.BaseAddress = Api;
        await _api.WaitReadyAsync(Api, "api", TimeSpan.FromSeconds(60));
    }

    /// <summary>Kills the api (SIGKILL) and starts it again on the same port.</summary>
    public async Task RestartApiAsync()
    {
        _api!.Kill();
        await _api.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await _api.DisposeAsync();
        _api = ServiceProcess.StartDll(SolutionPaths.ProjectDll("AiServer.Api"), Environment(Api.Port));
        await _api.WaitReadyAsync(Api, "api", TimeSpan.FromSeconds(60));
    }

    /// <summary>Starts (or restarts) the workers process and waits until it is ready.</summary>
    public async Task StartWorkersAsync()
    {
        var port = FreePort.Next();
        _workers = ServiceProcess.StartDll(SolutionPaths.ProjectDll("AiServer.Workers"), Environment(port));
        WorkersUrl = new Uri($"http://127.0.0.1:{port}/");
        await _workers.WaitReadyAsync(WorkersUrl, "workers", TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in new[] { _api, _workers })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        ClientA?.Dispose();
        ClientB?.Dispose();
        Anonymous.Dispose();
        await Emulator.DisposeAsync();
        await _redis.DisposeAsync();
        try
        {
            Directory.Delete(OutputPath, recursive: true);
        }
        catch (IOException)
        {
            // the OS cleans temp folders
        }
    }

    public HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = Api, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Submits a job and returns the response (the caller disposes it).</summary>
    public static Task<HttpResponseMessage> SubmitAsync(HttpClient client, string kind, string json, string? idempotencyKey = null, string? prefer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/jobs/" + kind) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        if (prefer is not null)
        {
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
        }

        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Submits a job that must be accepted and returns its id.</summary>
    public static async Task<string> SubmitOkAsync(HttpClient client, string kind, string json)
    {
        using var response = await SubmitAsync(client, kind, json);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"submitting {kind} answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<string>();
    }

    public static async Task<JsonObject> GetJobAsync(HttpClient client, string id)
    {
        using var response = await client.GetAsync("v1/jobs/" + id, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET job {id} answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>Waits until the job reaches <paramref name="status"/> (failing early when it ends otherwise).</summary>
    public async Task<JsonObject> WaitForStatusAsync(HttpClient client, string id, string status, TimeSpan timeout)
    {
        JsonObject job = [];
        await Wait.UntilAsync(
            async () =>
            {
                job = await GetJobAsync(client, id);
                var now = job["status"]!.GetValue<string>();
                if (now != status && now is "succeeded" or "failed" or "canceled")
                {
                    Assert.Fail($"job {id} ended {now}, not {status}: {job.ToJsonString()}{System.Environment.NewLine}workers:{System.Environment.NewLine}{Tail(_workers)}");
                }

                return now == status;
            },
            timeout,
            () => $"job {id} to be {status}; last: {job.ToJsonString()}{System.Environment.NewLine}workers:{System.Environment.NewLine}{Tail(_workers)}",
            TimeSpan.FromMilliseconds(100));
        return job;
    }

    public async Task AdminPostAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Api, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await Anonymous.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
    }

    public async Task<JsonArray> AdminGetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Api, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await Anonymous.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsArray();
    }

    /// <summary>A URL the emulator serves a small file of the given name at (an input a job may fetch).</summary>
    public string FileUrl(string name) => Emulator.Url("files/uploads/test/" + name);

    internal static string Tail(ServiceProcess? process) =>
        process is null ? "(none)" : string.Join(System.Environment.NewLine, process.Output.Split(System.Environment.NewLine).TakeLast(40));

    private Dictionary<string, string> Environment(int port)
    {
        var emulatorHost = Emulator.BaseUri.Authority;
        return new()
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__redis"] = _redis.ConnectionString,
            ["Redis__KeyPrefix"] = Prefix,
            ["Admin__Token"] = AdminToken,
            ["Auth__ApiKeys__0"] = KeyA,
            // The second key as production stores it: only its SHA-256.
            ["Auth__ApiKeys__1"] = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(KeyB))),
            ["Jobs__OutputPath"] = OutputPath,
            ["Jobs__PollInterval"] = "00:00:00.100",
            ["Jobs__VisibilityTimeout"] = "00:00:03",
            ["Jobs__MaxAttempts"] = "2",
            ["Workers__ReclaimInterval"] = "00:00:00.500",
            ["Workers__IdlePoll"] = "00:00:00.250",
            ["Workers__FinishGrace"] = "00:00:00.300",
            ["Logging__File__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__AiServer"] = "Information",
            ["Providers__Replicate__BaseUrl"] = Emulator.Url("replicate"),
            ["Providers__Replicate__ApiKey"] = EmulatorHost.ReplicateKey,
            ["Providers__ElevenLabs__BaseUrl"] = Emulator.Url("elevenlabs"),
            ["Providers__ElevenLabs__ApiKey"] = EmulatorHost.ElevenLabsKey,
            ["Providers__SyncLabs__BaseUrl"] = Emulator.Url("synclabs"),
            ["Providers__SyncLabs__ApiKey"] = EmulatorHost.SyncKey,
            ["Providers__HuggingFace__BaseUrl"] = Emulator.Url("huggingface/hf-inference"),
            ["Providers__HuggingFace__HubUrl"] = Emulator.Url("huggingface"),
            ["Providers__HuggingFace__SpaceUrl"] = Emulator.Url("huggingface/spaces/fancyfeast/joy-caption-alpha-two"),
            ["Providers__HuggingFace__ApiKey"] = EmulatorHost.HuggingFaceKey,
            ["Providers__Bfl__BaseUrl"] = Emulator.Url("bfl"),
            ["Providers__Bfl__ApiKey"] = EmulatorHost.BflKey,
            ["Providers__Supabase__BaseUrl"] = Emulator.Url("supabase"),
            ["Providers__Supabase__ApiKey"] = EmulatorHost.SupabaseKey,
            ["Providers__FileDownload__AllowedHosts__0"] = emulatorHost,
            ["Providers__FileDownload__AllowedHosts__1"] = "127.0.0.1:" + ReceiverPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Providers__Replicate__WebhookSecret"] = ReplicateWebhookSecret,
            ["Providers__SyncLabs__WebhookSecret"] = EmulatorHost.SyncWebhookSecret,
            ["Providers__Bfl__WebhookSecret"] = BflWebhookSecret,
            ["Webhooks__PublicBaseUrl"] = Api.AbsoluteUri,
            ["Outbox__IdlePoll"] = "00:00:00.100",
            ["Outbox__RetryDelay"] = "00:00:00.250",
            ["Outbox__LeaseTime"] = "00:00:03",
            // Outages in these tests come from forced breakers or bounded faults; thresholds high enough that retries do not open them.
            ["CircuitBreakers__synclabs__FailureThreshold"] = "50",
            ["CircuitBreakers__replicate__FailureThreshold"] = "50",
        };
    }
}
