using System.Globalization;

namespace AiServer.Drills.Drills;

/// <summary>
/// Drill 1: mixed jobs at a steady rate; Replicate answers every call with 503 for 60 s in the middle. The fleet must
/// open <c>replicate</c> after at most its threshold of failures in total, let one probe per recovery window through
/// (fleet-wide), hold the Replicate jobs waiting and complete them afterwards, and leave the other kinds alone.
/// </summary>
internal static class ProviderOutageDrill
{
    public const string Name = "provider-outage";
    private const double Rate = 6;
    private const int Threshold = 5;
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(30);
    private static readonly string[] ReplicateKinds = ["model-training", "image-generation"];

    public static async Task<DrillResult> RunAsync(DrillContext ctx)
    {
        var result = new DrillResult(Name, "1. Provider outage: Replicate fails 100 % for 60 s");
        await ctx.BeginAsync();
        var timeline = ctx.Timeline;
        var duration = ctx.Scaled(300);
        var faultAfter = ctx.Scaled(120);
        var faultLength = ctx.Scaled(60);
        using var sampling = new CancellationTokenSource();
        var sampler = ctx.SampleBreakersAsync(sampling.Token);
        using var load = new LoadGenerator(ctx.App.ApiUrl, ctx.App.ApiKey, new JobMix(ctx.App.EmulatorUrl), timeline);
        var loadTask = load.RunAsync(Rate, duration, CancellationToken.None);

        var (faultStart, faultEnd) = await ctx.OutageAsync("replicate", "Replicate", faultAfter, faultLength);
        await loadTask;
        timeline.Mark("load stops", ctx.Log);
        var outcomes = await ctx.WaitJobsAsync(TimeSpan.FromMinutes(3));
        await Task.Delay(TimeSpan.FromSeconds(1));
        await sampling.CancelAsync();
        await sampler;
        result.DurationSeconds = timeline.Now;

        var accepted = timeline.Requests.Where(r => r.Accepted).ToList();
        ctx.SummarizeLoad(result, Rate, duration);

        // When the fleet view turned OPEN, and what reached Replicate around it (the emulator's journal is the provider's view).
        var states = timeline.BreakerStates.Where(s => s.Breaker == "replicate").OrderBy(s => s.At).ToList();
        var faultStartAt = timeline.At(faultStart);
        var openedAt = states.FirstOrDefault(s => s.At >= faultStartAt && s.State == "OPEN").At;
        var journal = await ctx.App.EmulatorRequestsAsync("replicate");
        var failed = journal.Where(r => r.FaultId is not null).Select(r => (At: timeline.At(r.ReceivedAt), r.Method, r.Path)).OrderBy(r => r.At).ToList();
        var perSecond = journal.ToLookup(r => (int)timeline.At(r.ReceivedAt));
        for (var second = 0; second < (int)timeline.Now; second++)
        {
            timeline.Record("calls reaching Replicate/s", second + 0.5, perSecond[second].Count());
            timeline.Record("of which failed (503)/s", second + 0.5, perSecond[second].Count(r => r.FaultId is not null));
        }

        var beforeOpen = failed.Where(r => r.At <= openedAt).ToList();
        var whileOpen = failed.Where(r => r.At > openedAt).ToList();
        result.Check(
            $"the fleet opens `replicate` after at most its threshold ({Threshold}) of failures in total",
            openedAt > 0 && beforeOpen.Count <= Threshold,
            openedAt > 0
                ? $"OPEN {openedAt - faultStartAt:0.00} s after the fault began, after {beforeOpen.Count} failed calls in total ({Paths(beforeOpen)})"
                : "the fleet never reported replicate OPEN");

        // One probe per recovery window: calls that reached Replicate while the fault lasted and the breaker had opened.
        var gaps = whileOpen.Zip(whileOpen.Skip(1), (a, b) => b.At - a.At).ToList();
        var windows = openedAt > 0 ? (int)Math.Floor((timeline.At(faultEnd) - openedAt) / RecoveryTimeout.TotalSeconds) : 0;
        var spacedByWindow = whileOpen.Count == 0 || (whileOpen[0].At - openedAt >= RecoveryTimeout.TotalSeconds - 1 && gaps.All(g => g >= RecoveryTimeout.TotalSeconds - 1));
        result.Check(
            "exactly one probe per recovery window reaches the provider fleet-wide while it is down",
            openedAt > 0 && spacedByWindow && whileOpen.Count >= windows && whileOpen.Count <= windows + 1,
            $"{whileOpen.Count} calls reached Replicate while OPEN and down, at {string.Join(", ", whileOpen.Select(r => $"+{r.At - openedAt:0.0} s"))} after the opening ({windows} full recovery windows of {RecoveryTimeout.TotalSeconds:0} s ended within the outage)");

        var closedAgain = states.FirstOrDefault(s => s.At > timeline.At(faultEnd) && s.State == "CLOSED").At;
        result.Check(
            "the breaker closes again after the provider recovers",
            closedAgain > 0,
            closedAgain > 0 ? $"CLOSED {closedAgain - timeline.At(faultEnd):0.0} s after the fault ended" : "not CLOSED by the end");

        DrillContext.CheckJobs(result, outcomes, accepted.Count);

        // The kinds Replicate does not serve: their job durations during the outage against before it.
        double P99(Func<JobOutcome, bool> which) => Stats.Percentile(outcomes.Values.Where(o => !ReplicateKinds.Contains(o.Kind) && which(o)).Select(o => o.DurationSeconds).OfType<double>(), 99);
        var before = P99(o => o.CreatedAt < faultStart);
        var during = P99(o => o.CreatedAt >= faultStart && o.CreatedAt < faultEnd);
        result.Check(
            "other kinds unaffected: their job duration p99 during the outage within noise of before (<= 1.5 x + 0.5 s)",
            !double.IsNaN(during) && during <= (1.5 * before) + 0.5,
            $"p99 {Stats.S(before)} before, {Stats.S(during)} during ({string.Join(", ", JobMix.AllKinds.Except(ReplicateKinds))})");
        double SubmitP99(double from, double to) => Stats.Percentile(accepted.Where(r => r.At >= from && r.At < to).Select(r => r.LatencyMs), 99);
        result.Figure("submission p99 before / during / after the outage", $"{Stats.Ms(SubmitP99(0, faultStartAt))} / {Stats.Ms(SubmitP99(faultStartAt, timeline.At(faultEnd)))} / {Stats.Ms(SubmitP99(timeline.At(faultEnd), double.MaxValue))}");

        var replicateJobs = outcomes.Values.Where(o => ReplicateKinds.Contains(o.Kind) && o.CreatedAt >= faultStart && o.CreatedAt < faultEnd).ToList();
        result.Figure("Replicate-kind jobs submitted during the outage", $"{replicateJobs.Count}: {replicateJobs.Count(o => o.Kind == "model-training")} model-training (waited, then ran on Replicate), {replicateJobs.Count(o => o.Kind == "image-generation")} image-generation ({replicateJobs.Count(o => o.Fallbacks > 0)} of them moved to BFL by the fallback; {outcomes.Values.Count(o => o.Fallbacks > 0)} moves in the whole drill)");
        var trainingDuring = Stats.Percentile(replicateJobs.Where(o => o.Kind == "model-training").Select(o => o.DurationSeconds).OfType<double>(), 50);
        result.Figure("model-training jobs submitted during the outage: duration p50", Stats.S(trainingDuring));
        result.Figure("failed calls that reached Replicate in all", string.Create(CultureInfo.InvariantCulture, $"{failed.Count} ({Paths(failed)})"));
        File.WriteAllText(Path.Combine(ctx.Options.DocsDirectory, "drills", Name + ".svg"), Plot.Svg(result.Title, timeline, result.DurationSeconds, ["replicate", "bfl", "elevenlabs", "synclabs", "huggingface"], ["calls reaching Replicate/s", "of which failed (503)/s"], "calls/s"));
        return result;
    }

    private static string Paths(IEnumerable<(double At, string Method, string Path)> calls) =>
        string.Join(", ", calls.GroupBy(c => c.Method + " " + Shape(c.Path)).Select(g => $"{g.Count()} x {g.Key}"));

    /// <summary>A path with its ids replaced, so calls group by route.</summary>
    internal static string Shape(string path) => string.Join('/', path.Split('/').Select(s => s.Length >= 16 && s.Any(char.IsDigit) ? "{id}" : s));
}
