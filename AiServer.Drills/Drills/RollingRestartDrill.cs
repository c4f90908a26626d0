using System.Diagnostics;
using System.Globalization;

namespace AiServer.Drills.Drills;

/// <summary>
/// Drill 4: under load, both api replicas and then every worker pool are restarted one at a time with Aspire's Restart
/// command (what the dashboard's button does; DCP stops the process with SIGTERM and starts a new one), each waited
/// until healthy before the next. No request may fail as a client of the app's endpoint (DCP's proxy) sees it, and no
/// job may be lost.
/// </summary>
internal static class RollingRestartDrill
{
    public const string Name = "rolling-restart";
    private const double Rate = 10;

    public static async Task<DrillResult> RunAsync(DrillContext ctx)
    {
        var result = new DrillResult(Name, "4. Rolling restart of both api replicas and every worker pool");
        await ctx.BeginAsync();
        var timeline = ctx.Timeline;
        using var sampling = new CancellationTokenSource();
        var samplers = new[] { ctx.SampleBreakersAsync(sampling.Token), ctx.SampleQueueDepthAsync(sampling.Token) };
        using var load = new LoadGenerator(ctx.App.ApiUrl, ctx.App.ApiKey, new JobMix(ctx.App.EmulatorUrl), timeline);
        using var stopLoad = new CancellationTokenSource();
        var loadTask = load.RunAsync(Rate, TimeSpan.FromMinutes(10), stopLoad.Token);
        await Task.Delay(ctx.Scaled(10));

        var restarts = new List<string>();
        var order = ctx.App.Instances("api").Select(i => i.ResourceId).Concat(DrillApp.WorkerPools.Select(p => ctx.App.Instances(p).Single().ResourceId)).ToList();
        foreach (var resourceId in order)
        {
            var clock = Stopwatch.StartNew();
            timeline.Mark($"restart {resourceId}", ctx.Log);
            await ctx.App.CommandAsync(resourceId, "restart");
            var commandDone = clock.Elapsed;
            await ctx.App.WaitHealthyAsync(TimeSpan.FromMinutes(2));
            restarts.Add(string.Create(CultureInfo.InvariantCulture, $"{resourceId} {commandDone.TotalSeconds:0.0} s to restart, healthy after {clock.Elapsed.TotalSeconds:0.0} s"));
            await Task.Delay(ctx.Scaled(8));
        }

        timeline.Mark("every service restarted", ctx.Log);
        await Task.Delay(ctx.Scaled(10));
        await stopLoad.CancelAsync();
        await loadTask;
        timeline.Mark("load stops", ctx.Log);
        var outcomes = await ctx.WaitJobsAsync(TimeSpan.FromMinutes(4));
        await sampling.CancelAsync();
        await Task.WhenAll(samplers);
        result.DurationSeconds = timeline.Now;
        var requests = timeline.Requests.ToList();
        ctx.SummarizeLoad(result, Rate, TimeSpan.FromSeconds(requests.Count / Rate));
        var failed = requests.Where(r => !r.Accepted).ToList();
        result.Check(
            "0 failed requests as a client of the app's endpoint sees them (any answer but 202, a timeout, a broken connection)",
            failed.Count == 0,
            $"{failed.Count} of {requests.Count} failed{(failed.Count == 0 ? string.Empty : ": " + string.Join("; ", failed.GroupBy(f => f.Error).Select(g => $"{g.Count()} x {g.Key}")))}");
        DrillContext.CheckJobs(result, outcomes, requests.Count(r => r.Accepted));
        result.Figure("restarts", string.Join("; ", restarts));
        File.WriteAllText(Path.Combine(ctx.Options.DocsDirectory, "drills", Name + ".svg"), Plot.Svg(result.Title, timeline, result.DurationSeconds, ["replicate", "elevenlabs", "synclabs"], ["open jobs (queue depth)"], "jobs"));
        return result;
    }
}
