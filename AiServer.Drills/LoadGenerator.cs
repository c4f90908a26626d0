using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace AiServer.Drills;

/// <summary>
/// An open-loop load generator on loopback: sends job submissions at a fixed rate for a fixed duration, whatever the
/// answers do (a slow server does not slow the offered load down, so queueing shows in the latencies), each with its own
/// timeout. At most <see cref="MaxInFlight"/> requests are outstanding; a request that would exceed it is not sent and
/// is recorded as an error ("client saturated"), so the generator can never grow without bound.
/// </summary>
internal sealed class LoadGenerator : IDisposable
{
    public const int MaxInFlight = 2048;

    private readonly HttpClient _client;
    private readonly Uri _api;
    private readonly JobMix _mix;
    private readonly Timeline _timeline;
    private int _inFlight;

    public LoadGenerator(Uri api, string apiKey, JobMix mix, Timeline timeline)
    {
        _api = api;
        _mix = mix;
        _timeline = timeline;
        _client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 512,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    /// <summary>The client's timeout per request: what "waits past its timeout" is measured against.</summary>
    public static TimeSpan RequestTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Sends <paramref name="rate"/> submissions per second for <paramref name="duration"/>, then waits for the last answers.</summary>
    public async Task RunAsync(double rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var total = (long)Math.Round(rate * duration.TotalSeconds);
        var clock = Stopwatch.StartNew();
        var pending = new List<Task>();
        long sent = 0;
        while (sent < total && !cancellationToken.IsCancellationRequested)
        {
            var due = Math.Min(total, (long)(clock.Elapsed.TotalSeconds * rate) + 1);
            for (; sent < due; sent++)
            {
                pending.Add(SendAsync(_mix.Next()));
            }

            if (pending.Count > 4096)
            {
                pending.RemoveAll(t => t.IsCompleted);
            }

            await Task.Delay(2, CancellationToken.None);
        }

        await Task.WhenAll(pending);
    }

    public void Dispose() => _client.Dispose();

    private async Task SendAsync((string Kind, JsonObject Body) job)
    {
        var at = _timeline.Now;
        if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            _timeline.Requests.Enqueue(new RequestSample(at, job.Kind, 0, 0, null, "client saturated: request not sent"));
            return;
        }

        var clock = Stopwatch.StartNew();
        try
        {
            using var cts = new CancellationTokenSource(RequestTimeout);
            using var content = new StringContent(job.Body.ToJsonString(), Encoding.UTF8, "application/json");
            using var response = await _client.PostAsync(new Uri(_api, "/v1/jobs/" + job.Kind), content, cts.Token);
            var body = await response.Content.ReadAsStringAsync(cts.Token);
            var status = (int)response.StatusCode;
            string? id = null;
            string? error = null;
            if (status is 200 or 201 or 202)
            {
                id = (string?)JsonNode.Parse(body)?["id"];
            }
            else
            {
                error = $"{status} {Trim(body)}";
            }

            _timeline.Requests.Enqueue(new RequestSample(at, job.Kind, status, clock.Elapsed.TotalMilliseconds, id, error));
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            var what = ex is OperationCanceledException ? $"no answer within {RequestTimeout.TotalSeconds:0} s" : ex.GetType().Name + ": " + ex.Message;
            _timeline.Requests.Enqueue(new RequestSample(at, job.Kind, 0, clock.Elapsed.TotalMilliseconds, null, what));
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static string Trim(string body) => body.Length <= 160 ? body : body[..160] + "...";
}

/// <summary>The job kinds in turn, each with a valid body whose inputs the emulator serves.</summary>
internal sealed class JobMix(Uri emulator, IReadOnlyList<string>? kinds = null)
{
    public static readonly IReadOnlyList<string> AllKinds = ["speech", "voice-clone", "lip-sync", "image-caption", "image-generation", "model-training"];

    private readonly IReadOnlyList<string> _kinds = kinds ?? AllKinds;
    private readonly string _files = new Uri(emulator, "/files/uploads/demo/").ToString();
    private long _next = -1;

    public IReadOnlyList<string> Kinds => _kinds;

    public (string Kind, JsonObject Body) Next()
    {
        var n = Interlocked.Increment(ref _next);
        var kind = _kinds[(int)(n % _kinds.Count)];
        return (kind, Body(kind, n));
    }

    private JsonObject Body(string kind, long n) => kind switch
    {
        "speech" => new JsonObject { ["text"] = $"Drill line {n}.", ["voice_id"] = "21m00Tcm4TlvDq8ikWAM" },
        "voice-clone" => new JsonObject { ["name"] = $"Drill voice {n}", ["samples"] = new JsonArray(_files + "sample.mp3") },
        "lip-sync" => new JsonObject { ["video_url"] = _files + "face.mp4", ["audio_url"] = _files + "speech.wav" },
        "image-caption" => new JsonObject { ["image_url"] = _files + "photo.png" },
        "image-generation" => new JsonObject { ["prompt"] = $"a lighthouse at dawn, take {n}" },
        "model-training" => new JsonObject { ["images_url"] = _files + "images.zip", ["destination"] = "aiserver/trained" },
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown job kind."),
    };
}
