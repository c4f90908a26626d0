using System.Globalization;

namespace AiServer.Drills.Drills;

/// <summary>
/// Drill 6: the highest submission rate the two cores sustain with p99 under 100 ms, for 10 minutes: first a short
/// ramp finds the highest step that keeps p99 under 100 ms without an error or a growing backlog, then the sustained
/// run holds 65 % of it (or <c>--rate</c>). Every job must complete, no request may fail, the workers must keep up and
/// no api replica may grow in memory beyond its warm-up.
/// </summary>
internal static class SustainedLoadDrill
{
    public const string Name = "sustained-load";
    private const double P99Goal = 100;
    private static readonly double[] Steps = [30, 45, 60, 80, 100, 125, 150, 200, 250];

    public static async Task<DrillResult> RunAsync(DrillContext ctx)
    {
        var result = new DrillResult(Name, "6. Sustained load for 10 minutes");
        await ctx.BeginAsync();

        // The ramp: short steps one after another. A step passes when its submissions keep p99 under 100 ms with no
        // error and the workers keep up: the open jobs stay at what the rate keeps in work and do not grow in the step.
        var ramp = new List<string>();
        var highest = 0.0;
        if (ctx.Options.SustainedRate is null)
        {
            var timeline = ctx.Timeline;
            using var depthSampling = new CancellationTokenSource();
            var depthSampler = ctx.SampleQueueDepthAsync(depthSampling.Token);
            using (var probe = new LoadGenerator(ctx.App.ApiUrl, ctx.App.ApiKey, new JobMix(ctx.App.EmulatorUrl), timeline))
            {
                foreach (var step in Steps)
                {
                    var from = timeline.Now;
                    var length = ctx.Scaled(15);
                    await probe.RunAsync(step, length, CancellationToken.None);
                    var sent = timeline.Requests.Where(r => r.At >= from).ToList();
                    var p99 = Stats.Percentile(sent.Where(r => r.Accepted).Select(r => r.LatencyMs), 99);
                    var errors = sent.Count(r => !r.Accepted);
                    var depth = timeline.Series.TryGetValue("open jobs (queue depth)", out var d) ? d.Where(p => p.At >= from).OrderBy(p => p.At).ToList() : [];
                    var middle = depth.Count > 0 ? depth[depth.Count / 2].Value : 0;
                    var last = depth.Count > 0 ? depth[^1].Value : 0;
                    // Jobs take about 2 s here, so a pipeline that keeps up holds about rate x 2 s open jobs; more than
                    // rate x 3 s, or growth within the step, is a backlog building.
                    var keepsUp = last <= step * 3 && last <= (middle * 1.1) + (step * 0.5);
                    ramp.Add(string.Create(CultureInfo.InvariantCulture, $"{step:0}/s: p99 {Stats.Ms(p99)}, {errors} errors, open jobs {middle:0} -> {last:0}"));
                    ctx.Log($"  ramp {ramp[^1]}");
                    if (p99 >= P99Goal || errors > 0 || !keepsUp)
                    {
                        break;
                    }

                    highest = step;
                }
            }

            await depthSampling.CancelAsync();
            await depthSampler;
            await ctx.WaitJobsAsync(TimeSpan.FromMinutes(4));
        }

        // 65 % of the highest step: a 15 s step cannot see a backlog that grows by a few jobs per second. At 80 % (100/s of
        // a highest 125/s) a first 10-minute run fell behind: 97.2 jobs/s completed, 315 open jobs became 1,889.
        var rate = ctx.Options.SustainedRate ?? Math.Max(Steps[0] / 2, Math.Round(highest * 0.65));
        result.Figure("ramp (15 s steps; the first step over 100 ms p99, with an error or with a growing backlog ends it; the run holds 65 % of the highest that passed)", ramp.Count == 0 ? "skipped: --rate given" : string.Join("; ", ramp));
        await ctx.BeginAsync();
        var run = ctx.Timeline;
        var duration = ctx.Scaled(600);
        using var sampling = new CancellationTokenSource();
        var api = ctx.App.Instances("api").Select((e, i) => (Name: $"api-{i}", Pid: DrillApp.ServicePid(e))).ToList();
        var samplers = new[]
        {
            ctx.SampleBreakersAsync(sampling.Token),
            ctx.SampleQueueDepthAsync(sampling.Token),
            DrillContext.SampleAsync(
                () =>
                {
                    foreach (var (name, pid) in api)
                    {
                        run.Record(name + " RSS MB", Rss(pid));
                    }

                    return Task.CompletedTask;
                },
                TimeSpan.FromSeconds(5),
                sampling.Token),
        };
        ctx.Log($"  sustained: {rate:0} submissions/s for {duration.TotalMinutes:0.#} min");
        using (var load = new LoadGenerator(ctx.App.ApiUrl, ctx.App.ApiKey, new JobMix(ctx.App.EmulatorUrl), run))
        {
            await load.RunAsync(rate, duration, CancellationToken.None);
        }

        run.Mark("load stops", ctx.Log);
        var outcomes = await ctx.WaitJobsAsync(TimeSpan.FromMinutes(4));
        await sampling.CancelAsync();
        await Task.WhenAll(samplers);
        result.DurationSeconds = run.Now;
        ctx.SummarizeLoad(result, rate, duration);
        var requests = run.Requests.ToList();
        var accepted = requests.Where(r => r.Accepted).ToList();
        var p99All = Stats.Percentile(accepted.Select(r => r.LatencyMs), 99);
        result.Check($"submission p99 under {P99Goal:0} ms at {rate:0}/s over the whole run", p99All < P99Goal, $"p99 {Stats.Ms(p99All)} over {accepted.Count} submissions ({requests.Count / duration.TotalSeconds:0.0}/s achieved)");
        var worstMinute = requests.GroupBy(r => (int)(r.At / 60)).Select(g => (Minute: g.Key, P99: Stats.Percentile(g.Where(r => r.Accepted).Select(r => r.LatencyMs), 99))).MaxBy(m => m.P99);
        result.Figure("worst minute's submission p99", $"{Stats.Ms(worstMinute.P99)} (minute {worstMinute.Minute + 1})");
        var failed = requests.Count(r => !r.Accepted);
        result.Check("no error", failed == 0, $"{failed} failed submissions");
        DrillContext.CheckJobs(result, outcomes, accepted.Count);
        var loadEnd = run.Start + duration;
        var completed = outcomes.Values.Count(o => o.CompletedAt is { } c && c <= loadEnd);
        result.Figure("jobs completed per second while the load ran (mean)", $"{completed / duration.TotalSeconds:0.0}");

        // The workers keep up: open jobs in the last tenth of the run against minutes 2-3 (20-30 % of the run).
        var depths = run.Series.TryGetValue("open jobs (queue depth)", out var dq) ? dq.ToList() : [];
        var depthWarm = depths.Where(p => p.At >= duration.TotalSeconds * 0.2 && p.At < duration.TotalSeconds * 0.3).Select(p => p.Value).DefaultIfEmpty(double.NaN).Average();
        var depthEnd = depths.Where(p => p.At >= duration.TotalSeconds * 0.9 && p.At <= duration.TotalSeconds).Select(p => p.Value).DefaultIfEmpty(double.NaN).Average();
        result.Check("the workers keep up: open jobs do not grow (last tenth <= 1.25 x minutes 2-3 + one second of load)", depthEnd <= (depthWarm * 1.25) + rate, $"{depthWarm:0} open jobs in minutes 2-3, {depthEnd:0} in the last tenth");

        // Memory: a least-squares line through each api replica's RSS after warm-up (from 30 % of the run); what it
        // grows over that span, against its mean.
        var memory = new List<string>();
        var flat = true;
        foreach (var (name, _) in api)
        {
            var points = run.Series.TryGetValue(name + " RSS MB", out var q) ? q.Where(p => p.At >= duration.TotalSeconds * 0.3 && p.At <= duration.TotalSeconds).ToList() : [];
            var warm = run.Series.TryGetValue(name + " RSS MB", out var all) ? all.Where(p => p.At < duration.TotalSeconds * 0.3).Select(p => p.Value).DefaultIfEmpty(double.NaN).Max() : double.NaN;
            var meanT = points.Select(p => p.At).DefaultIfEmpty(0).Average();
            var meanV = points.Select(p => p.Value).DefaultIfEmpty(double.NaN).Average();
            var slope = points.Sum(p => (p.At - meanT) * (p.At - meanT)) is var sxx && sxx > 0 ? points.Sum(p => (p.At - meanT) * (p.Value - meanV)) / sxx : double.NaN;
            var span = duration.TotalSeconds * 0.7;
            var growth = slope * span / meanV * 100;
            flat &= growth < 10;
            memory.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: {warm:0} MB at most during warm-up, {meanV:0} MB mean after, trend {slope * 60:+0.00;-0.00} MB/min ({growth:+0.0;-0.0} % over the last {span / 60:0.#} min)"));
        }

        result.Check("no memory growth per api replica beyond warm-up (RSS trend after 30 % of the run adds < 10 %)", flat, string.Join("; ", memory));
        File.WriteAllText(Path.Combine(ctx.Options.DocsDirectory, "drills", Name + ".svg"), Plot.Svg(result.Title, run, result.DurationSeconds, ["replicate", "elevenlabs", "supabase"], [.. api.Select(a => a.Name + " RSS MB"), "open jobs (queue depth)"], "MB / jobs"));
        return result;
    }

    /// <summary>Resident memory of a process in MB (<c>VmRSS</c>).</summary>
    private static double Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }
}
