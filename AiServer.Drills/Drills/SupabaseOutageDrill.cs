using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AiServer.Drills.Drills;

/// <summary>
/// Drill 5: the same load; Supabase answers 503 to everything for 60 s. Jobs keep running, the outbox holds every state
/// change meanwhile, and afterwards Supabase matches Redis (the reconciliation finds no job missing or stale).
/// </summary>
internal static class SupabaseOutageDrill
{
    public const string Name = "supabase-outage";
    private const double Rate = 6;

    public static async Task<DrillResult> RunAsync(DrillContext ctx)
    {
        var result = new DrillResult(Name, "5. Supabase outage: 503 to everything for 60 s");
        await ctx.BeginAsync();
        var timeline = ctx.Timeline;
        var duration = ctx.Scaled(90);
        var faultLength = ctx.Scaled(60);
        var api = new Uri(ctx.App.ApiUrl, "/admin/jobs/outbox");
        using var sampling = new CancellationTokenSource();
        var samplers = new[]
        {
            ctx.SampleBreakersAsync(sampling.Token),
            DrillContext.SampleAsync(
                async () =>
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                    var status = await ctx.App.GetJsonAsync(api, admin: true, cts.Token);
                    timeline.Record("outbox length", (double?)status?["length"] ?? 0);
                },
                TimeSpan.FromMilliseconds(500),
                sampling.Token),
        };
        using var load = new LoadGenerator(ctx.App.ApiUrl, ctx.App.ApiKey, new JobMix(ctx.App.EmulatorUrl), timeline);
        var loadTask = load.RunAsync(Rate, duration, CancellationToken.None);
        var (faultStart, faultEnd) = await ctx.OutageAsync("supabase", "Supabase", ctx.Scaled(15), faultLength);
        await loadTask;
        timeline.Mark("load stops", ctx.Log);
        var outcomes = await ctx.WaitJobsAsync(TimeSpan.FromMinutes(3));

        // The outbox drains once Supabase is back.
        var drain = Stopwatch.StartNew();
        double length;
        do
        {
            await Task.Delay(500);
            length = (double?)(await ctx.App.GetJsonAsync(api, admin: true))?["length"] ?? -1;
        }
        while (length != 0 && drain.Elapsed < TimeSpan.FromMinutes(2));
        timeline.Mark("outbox empty", ctx.Log);
        var report = await ctx.App.AdminPostAsync(new Uri(ctx.App.ApiUrl, "/admin/jobs/outbox/reconcile"));
        await sampling.CancelAsync();
        await Task.WhenAll(samplers);
        result.DurationSeconds = timeline.Now;
        ctx.SummarizeLoad(result, Rate, duration);
        var accepted = timeline.Requests.Count(r => r.Accepted);
        DrillContext.CheckJobs(result, outcomes, accepted);

        var during = outcomes.Values.Where(o => o.CreatedAt >= faultStart && o.CreatedAt < faultEnd).ToList();
        var before = outcomes.Values.Where(o => o.CreatedAt < faultStart).ToList();
        var p99Before = Stats.Percentile(before.Select(o => o.DurationSeconds).OfType<double>(), 99);
        var p99During = Stats.Percentile(during.Select(o => o.DurationSeconds).OfType<double>(), 99);
        result.Check(
            "jobs keep running during the outage (job duration p99 within noise of before: <= 1.5 x + 0.5 s)",
            during.Count > 0 && during.All(o => o.Status == "succeeded") && p99During <= (1.5 * p99Before) + 0.5,
            $"{during.Count(o => o.Status == "succeeded")} of {during.Count} jobs submitted during the outage succeeded; duration p99 {Stats.S(p99Before)} before, {Stats.S(p99During)} during");

        var lengths = timeline.Series.TryGetValue("outbox length", out var points) ? points.ToList() : [];
        var peak = lengths.Select(p => p.Value).DefaultIfEmpty(0).Max();
        var drained = lengths.Where(p => p.At > timeline.At(faultEnd)).OrderBy(p => p.At).FirstOrDefault(p => p.Value == 0).At;
        result.Check(
            "the outbox holds every change while Supabase is down, and drains after",
            peak > 0 && length == 0,
            $"peak {peak:0} changes waiting; empty {(drained > 0 ? $"{drained - timeline.At(faultEnd):0.0} s after Supabase was back" : "only after the load")}");

        long N(string name) => (long?)report?[name] ?? 0;
        var drifted = report?["drifted"] is JsonArray d ? d.Count : 0;
        result.Check(
            "Supabase matches Redis afterwards (reconciliation: every job present with its newest record)",
            N("checked") >= accepted && N("missing") == 0 && N("stale") == 0 && N("pending") == 0 && drifted == 0 && N("in_sync") == N("checked"),
            $"checked {N("checked")} jobs (all drills so far), in sync {N("in_sync")}, missing {N("missing")}, stale {N("stale")}, pending {N("pending")}, drifted {drifted}");
        result.Figure("supabase breaker", "opens after its threshold of failed writes and probes every 10 s; the relay waits while it is OPEN (plot)");
        File.WriteAllText(Path.Combine(ctx.Options.DocsDirectory, "drills", Name + ".svg"), Plot.Svg(result.Title, timeline, result.DurationSeconds, ["supabase"], ["outbox length"], "changes"));
        return result;
    }
}
