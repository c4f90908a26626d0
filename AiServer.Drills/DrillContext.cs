using System.Globalization;
using System.Text.Json.Nodes;

namespace AiServer.Drills;

/// <summary>What every drill shares: the running app, its own timeline, the load generator, samplers and summaries.</summary>
internal sealed class DrillContext(DrillApp app, DrillOptions options, Action<string> log)
{
    public static readonly string[] Breakers = ["replicate", "bfl", "elevenlabs", "synclabs", "huggingface", "supabase"];

    public DrillApp App { get; } = app;

    public DrillOptions Options { get; } = options;

    public Timeline Timeline { get; private set; } = new();

    public void Log(string line) => log(line);

    /// <summary>Scales a drill's duration (<c>--quick</c> runs every drill at a fraction of its length, for trying the harness).</summary>
    public TimeSpan Scaled(double seconds) => TimeSpan.FromSeconds(Math.Max(5, seconds * Options.Scale));

    /// <summary>
    /// A clean start: the app healthy, every breaker CLOSED, the emulator's faults and journal empty (its provider state
    /// stays: Supabase keeps the earlier drills' rows, which the outbox drill reconciles), a new timeline.
    /// </summary>
    public async Task BeginAsync()
    {
        await App.WaitHealthyAsync(TimeSpan.FromMinutes(2));
        var api = App.Services()[0].Url;
        var view = await App.GetJsonAsync(new Uri(api, "/metrics/circuit-breakers"));
        foreach (var breaker in view!["breakers"]!.AsArray())
        {
            if ((string?)breaker!["state"] != "CLOSED" || (string?)breaker["forced"] is { } forced && forced != "none")
            {
                await App.AdminPostAsync(new Uri(api, $"/admin/circuit-breakers/{(string)breaker["name"]!}/reset"));
            }
        }

        await App.ClearEmulatorAsync();
        Timeline = new Timeline();
    }

    /// <summary>Warms the app up (JIT, connection pools, the emulator): 10 s of the mixed load, every job followed to its end.</summary>
    public async Task WarmUpAsync()
    {
        Timeline = new Timeline();
        using (var load = new LoadGenerator(App.ApiUrl, App.ApiKey, new JobMix(App.EmulatorUrl), Timeline))
        {
            await load.RunAsync(6, TimeSpan.FromSeconds(10), CancellationToken.None);
        }

        var outcomes = await WaitJobsAsync(TimeSpan.FromMinutes(2));
        Log($"warm-up: {Timeline.Requests.Count(r => r.Accepted)} of {Timeline.Requests.Count} submissions accepted, {outcomes.Values.Count(o => o.Status == "succeeded")} jobs succeeded");
    }

    /// <summary>Runs <paramref name="sample"/> every <paramref name="interval"/> until <paramref name="cancellationToken"/> fires; a failed sample is skipped.</summary>
    public static async Task SampleAsync(Func<Task> sample, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                try
                {
                    await sample();
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException or InvalidOperationException)
                {
                    // the sampled service is restarting or Redis is away: this sample is missing, the next one comes
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Samples the fleet's breaker states as an api replica reports them (the other one when the first does not answer).</summary>
    public Task SampleBreakersAsync(CancellationToken cancellationToken) => SampleAsync(
        () => FromAnApiReplicaAsync(async (url, ct) =>
        {
            var view = await App.GetJsonAsync(new Uri(url, "/metrics/circuit-breakers"), cancellationToken: ct);
            var at = Timeline.Now;
            foreach (var breaker in view!["breakers"]!.AsArray())
            {
                Timeline.BreakerStates.Enqueue((at, (string)breaker!["name"]!, (string)breaker["state"]!));
            }
        }),
        TimeSpan.FromMilliseconds(250),
        cancellationToken);

    /// <summary>Samples the open jobs of every kind (<c>jobs_queue_depth</c>, queued or in work) as an api replica reports them, every second.</summary>
    public Task SampleQueueDepthAsync(CancellationToken cancellationToken) => SampleAsync(
        () => FromAnApiReplicaAsync(async (url, ct) => Timeline.Record("open jobs (queue depth)", await MetricSumAsync(url, "jobs_queue_depth", ct))),
        TimeSpan.FromSeconds(1),
        cancellationToken);

    /// <summary>Runs <paramref name="sample"/> against the first api replica that answers within 1 s (one may be restarting).</summary>
    private async Task FromAnApiReplicaAsync(Func<Uri, CancellationToken, Task> sample)
    {
        foreach (var (_, url) in App.Services().Where(s => s.Name.StartsWith("api", StringComparison.Ordinal)))
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await sample(url, cts.Token);
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
            {
                // try the other replica
            }
        }
    }

    /// <summary>
    /// Waits <paramref name="after"/>, then makes the emulator answer every call to <paramref name="provider"/> with 503
    /// for <paramref name="length"/> (marked on the timeline), and waits it out. Returns when the fault began and ended.
    /// </summary>
    public async Task<(DateTimeOffset Start, DateTimeOffset End)> OutageAsync(string provider, string label, TimeSpan after, TimeSpan length)
    {
        await Task.Delay(after);
        var start = DateTimeOffset.UtcNow;
        await App.AddFaultAsync(new { provider, kind = "error", statusCode = 503, durationSeconds = (int)length.TotalSeconds });
        Timeline.Mark($"{label} answers 503 to every call for {length.TotalSeconds:0} s", Log);
        await Task.Delay(length);
        Timeline.Mark($"{label} healthy again", Log);
        return (start, start + length);
    }

    /// <summary>Every accepted request's job, followed to its end (at most <paramref name="timeout"/>).</summary>
    public Task<IReadOnlyDictionary<string, JobOutcome>> WaitJobsAsync(TimeSpan timeout) =>
        JobTracker.WaitTerminalAsync(App, Timeline.Requests.Where(r => r.Accepted), timeout, Log);

    /// <summary>Figures of the offered load and the answers: counts by outcome and submission latencies.</summary>
    public void SummarizeLoad(DrillResult result, double rate, TimeSpan duration)
    {
        var requests = Timeline.Requests.ToList();
        var accepted = requests.Where(r => r.Accepted).ToList();
        result.Figure("offered load", $"{rate:0.#} submissions/s for {duration.TotalSeconds:0} s, job kinds in turn: {string.Join(", ", JobMix.AllKinds)}");
        result.Figure("submissions sent / accepted / 503 / failed", $"{requests.Count} / {accepted.Count} / {requests.Count(r => r.Status == 503)} / {requests.Count(r => !r.Accepted && r.Status != 503)}");
        result.Figure("submission latency of accepted p50 / p99 / max", $"{Stats.Ms(Stats.Percentile(accepted.Select(r => r.LatencyMs), 50))} / {Stats.Ms(Stats.Percentile(accepted.Select(r => r.LatencyMs), 99))} / {Stats.Ms(accepted.Select(r => r.LatencyMs).DefaultIfEmpty(double.NaN).Max())}");
        foreach (var error in requests.Where(r => !r.Accepted && r.Status != 503).GroupBy(r => r.Error).OrderByDescending(g => g.Count()).Take(3))
        {
            result.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"Failed submission ({error.Count()}x): `{error.Key}`"));
        }
    }

    /// <summary>The jobs criterion every drill has: each accepted job ended succeeded; none lost, none failed.</summary>
    public static void CheckJobs(DrillResult result, IReadOnlyDictionary<string, JobOutcome> outcomes, int accepted)
    {
        var succeeded = outcomes.Values.Count(o => o.Status == "succeeded");
        var missing = outcomes.Values.Count(o => o.Status == "missing");
        var unfinished = accepted - outcomes.Values.Count(o => o.Terminal);
        var failed = outcomes.Values.Count(o => o.Status is "failed" or "canceled");
        result.Check("every accepted job completes: 0 lost, 0 failed", succeeded == accepted && accepted > 0,
            $"{succeeded} of {accepted} succeeded; lost {missing + unfinished} ({missing} unknown to the api, {unfinished} unfinished), failed {failed}");
        var durations = outcomes.Values.Select(o => o.DurationSeconds).OfType<double>().ToList();
        result.Figure("job duration (created to completed) p50 / p99", $"{Stats.S(Stats.Percentile(durations, 50))} / {Stats.S(Stats.Percentile(durations, 99))}");
        foreach (var f in outcomes.Values.Where(o => o.Status != "succeeded").GroupBy(o => $"{o.Kind} {o.Status}").Take(5))
        {
            result.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"Not succeeded: {f.Count()} x {f.Key}, e.g. job {f.First().Id}"));
        }
    }

    /// <summary>The sum of a metric's series in a service's Prometheus exposition (<c>/metrics</c>), e.g. <c>jobs_queue_depth</c>.</summary>
    public async Task<double> MetricSumAsync(Uri service, string metric, CancellationToken cancellationToken = default)
    {
        var text = await App.Http.GetStringAsync(new Uri(service, "/metrics"), cancellationToken);
        return text.Split('\n')
            .Where(l => l.StartsWith(metric, StringComparison.Ordinal) && (l.Length == metric.Length || l[metric.Length] is '{' or ' '))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }
}

/// <summary>Command line of the harness.</summary>
internal sealed record DrillOptions(IReadOnlyList<string> Drills, double Scale, string DocsDirectory, double? SustainedRate);
