using System.Diagnostics;

namespace AiServer.Drills.Drills;

/// <summary>
/// Drill 3: the same load; the training pool's process is SIGKILLed while it runs trainings (the AppHost starts it
/// again). Every accepted job must complete and no provider may see a job twice (the emulator's journal counts the
/// creating calls per kind).
/// </summary>
internal static class WorkerKillDrill
{
    public const string Name = "worker-kill";
    private const double Rate = 6;
    private const string Pool = "training-worker";

    /// <summary>The call that creates a job's work at its provider, per kind (paths as the emulator records them).</summary>
    private static readonly (string Kind, string Provider, Func<EmulatorRequest, bool> Creates)[] Creates =
    [
        ("model-training", "replicate", r => r.Path.EndsWith("/trainings", StringComparison.Ordinal)),
        ("image-generation", "replicate", r => r.Path.EndsWith("/predictions", StringComparison.Ordinal)),
        ("image-generation", "bfl", r => r.Path.Contains("/v1/flux", StringComparison.Ordinal)),
        ("speech", "elevenlabs", r => r.Path.Contains("/v1/text-to-speech/", StringComparison.Ordinal)),
        ("voice-clone", "elevenlabs", r => r.Path.EndsWith("/v1/voices/add", StringComparison.Ordinal)),
        ("lip-sync", "synclabs", r => r.Path.EndsWith("/v2/generate", StringComparison.Ordinal)),
        ("image-caption", "huggingface", r => r.Path.Contains("/call/", StringComparison.Ordinal) || r.Path.Contains("/hf-inference/", StringComparison.Ordinal)),
    ];

    public static async Task<DrillResult> RunAsync(DrillContext ctx)
    {
        var result = new DrillResult(Name, "3. Worker SIGKILL: the training pool killed mid-jobs");
        await ctx.BeginAsync();
        var timeline = ctx.Timeline;
        var duration = ctx.Scaled(45);
        using var sampling = new CancellationTokenSource();
        var sampler = ctx.SampleBreakersAsync(sampling.Token);
        using var load = new LoadGenerator(ctx.App.ApiUrl, ctx.App.ApiKey, new JobMix(ctx.App.EmulatorUrl), timeline);
        var loadTask = load.RunAsync(Rate, duration, CancellationToken.None);
        await Task.Delay(ctx.Scaled(20));
        var worker = ctx.App.Instances(Pool).Single();
        var pid = DrillApp.Pid(worker);
        Process.GetProcessById(DrillApp.ServicePid(worker)).Kill();
        timeline.Mark($"{Pool} (pid {pid}) SIGKILLed", ctx.Log);
        await ctx.App.Until(() => ctx.App.Instances(Pool).Any(i => DrillApp.IsHealthy(i) && DrillApp.Pid(i) != pid), TimeSpan.FromMinutes(1), $"the AppHost to start {Pool} again");
        timeline.Mark($"{Pool} running again", ctx.Log);
        await loadTask;
        timeline.Mark("load stops", ctx.Log);
        var outcomes = await ctx.WaitJobsAsync(TimeSpan.FromMinutes(4));
        await sampling.CancelAsync();
        await sampler;
        result.DurationSeconds = timeline.Now;
        ctx.SummarizeLoad(result, Rate, duration);
        var accepted = timeline.Requests.Count(r => r.Accepted);
        DrillContext.CheckJobs(result, outcomes, accepted);

        var resumed = outcomes.Values.Where(o => o.Kind == "model-training" && o.Attempts > 1).ToList();
        result.Check(
            "the kill hit running jobs (else the drill proves nothing): jobs the dead worker held were taken over",
            resumed.Count > 0,
            $"{resumed.Count} model-training jobs ran on a second delivery after the kill, durations {string.Join(", ", resumed.Select(o => Stats.S(o.DurationSeconds ?? double.NaN)).Take(8))}");

        result.Notes.Add("A SIGKILLed worker cannot hand its jobs back (a SIGTERM does, drill 4): they stay pending in the stream until `Jobs:VisibilityTimeout` (60 s) passes and another worker claims them, then resume polling the provider with the recorded job id instead of submitting again. That is why those jobs took about a minute.");

        // Creating calls per kind (successful ones; a retried refusal creates nothing) against the jobs of that kind.
        var journal = await ctx.App.EmulatorRequestsAsync();
        var lines = new List<string>();
        var duplicates = 0;
        foreach (var kind in JobMix.AllKinds)
        {
            var jobs = outcomes.Values.Count(o => o.Kind == kind);
            var calls = Creates.Where(c => c.Kind == kind)
                .Sum(c => journal.Count(r => r.Provider == c.Provider && r.Method == "POST" && r.StatusCode is >= 200 and < 300 && c.Creates(r)));
            duplicates += Math.Max(0, calls - jobs);
            lines.Add($"{kind} {calls} for {jobs} jobs");
        }

        result.Check("0 duplicate provider submissions (creating calls per kind, from the emulator's journal)", duplicates == 0, $"{duplicates} duplicates; {string.Join(", ", lines)}");
        result.Figure("calls the providers received, by route", string.Join(", ", journal.Where(r => r.Method == "POST").GroupBy(r => $"{r.Provider} {ProviderOutageDrill.Shape(r.Path)}").Select(g => $"{g.Count()} x {g.Key}")));
        File.WriteAllText(Path.Combine(ctx.Options.DocsDirectory, "drills", Name + ".svg"), Plot.Svg(result.Title, timeline, result.DurationSeconds, ["replicate", "elevenlabs", "synclabs", "huggingface"], []));
        return result;
    }
}
