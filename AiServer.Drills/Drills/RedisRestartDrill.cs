using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace AiServer.Drills.Drills;

/// <summary>
/// Drill 2: the same load; redis-server is SIGKILLed (the AppHost starts it again, as it does for any crashed
/// resource). No request may wait past its timeout, readiness must come back within 2 s of Redis answering, the
/// breakers fall back to local state meanwhile and rejoin the fleet, and no accepted job may be lost.
/// </summary>
internal static class RedisRestartDrill
{
    public const string Name = "redis-restart";
    private const double Rate = 6;

    public static async Task<DrillResult> RunAsync(DrillContext ctx)
    {
        var result = new DrillResult(Name, "2. Redis killed (SIGKILL) and restarted under load");
        await ctx.BeginAsync();
        var timeline = ctx.Timeline;
        var duration = ctx.Scaled(60);
        using var sampling = new CancellationTokenSource();
        var services = ctx.App.Services();
        var syncModes = new ConcurrentQueue<(double At, string Service, string Sync, string States)>();
        var samplers = new List<Task>
        {
            ctx.SampleBreakersAsync(sampling.Token),
            DrillContext.SampleAsync(() => SampleRedisAsync(ctx.App.RedisConnectionString, timeline), TimeSpan.FromMilliseconds(50), sampling.Token),
        };
        foreach (var (name, url) in services)
        {
            if (name.StartsWith("api", StringComparison.Ordinal))
            {
                samplers.Add(DrillContext.SampleAsync(() => SampleReadyAsync(ctx, name, url), TimeSpan.FromMilliseconds(100), sampling.Token));
            }

            samplers.Add(DrillContext.SampleAsync(() => SampleSyncAsync(ctx, name, url, syncModes), TimeSpan.FromMilliseconds(250), sampling.Token));
        }

        using var load = new LoadGenerator(ctx.App.ApiUrl, ctx.App.ApiKey, new JobMix(ctx.App.EmulatorUrl), timeline);
        var loadTask = load.RunAsync(Rate, duration, CancellationToken.None);
        await Task.Delay(ctx.Scaled(20));
        var redis = ctx.App.Instances("redis").Single();
        var pid = DrillApp.Pid(redis);
        var killedAt = timeline.Now;
        Process.GetProcessById(pid).Kill();
        timeline.Mark($"redis-server (pid {pid}) SIGKILLed", ctx.Log);
        await ctx.App.Until(() => ctx.App.Instances("redis").Any(i => DrillApp.IsHealthy(i) && DrillApp.Pid(i) != pid), TimeSpan.FromMinutes(1), "the AppHost to start redis-server again");
        timeline.Mark("the AppHost reports redis Running again", ctx.Log);
        await loadTask;
        timeline.Mark("load stops", ctx.Log);
        var outcomes = await ctx.WaitJobsAsync(TimeSpan.FromMinutes(3));
        await sampling.CancelAsync();
        await Task.WhenAll(samplers);
        result.DurationSeconds = timeline.Now;
        ctx.SummarizeLoad(result, Rate, duration);

        // Redis down and back, as a client that opens a new connection and sends PING sees it.
        var redisSamples = timeline.Series["redis answers PING"].OrderBy(p => p.At).ToList();
        var downAt = redisSamples.FirstOrDefault(p => p.At >= killedAt && p.Value == 0).At;
        var backAt = redisSamples.FirstOrDefault(p => p.At > downAt && p.Value == 1).At;
        result.Figure("Redis unavailable (no PING answer)", $"{backAt - killedAt:0.00} s (killed at {killedAt:0.0} s, answering again at {backAt:0.0} s)");

        // Readiness of each api replica: 503 while Redis is away, back within 2 s of Redis answering.
        var recoveries = new List<string>();
        var recovered = true;
        foreach (var (name, _) in services.Where(s => s.Name.StartsWith("api", StringComparison.Ordinal)))
        {
            var ready = timeline.Series.TryGetValue(name + " ready", out var points) ? points.OrderBy(p => p.At).ToList() : [];
            var notReady = ready.Any(p => p.At > killedAt && p.At < backAt + 5 && p.Value == 0);
            var readyAgain = ready.FirstOrDefault(p => p.At >= backAt && p.Value == 1).At;
            var lastNotReady = ready.LastOrDefault(p => p.At > killedAt && p.Value == 0).At;
            var recovery = Math.Max(0, (readyAgain > lastNotReady ? readyAgain : double.NaN) - backAt);
            recovered &= readyAgain > 0 && readyAgain > lastNotReady && recovery <= 2;
            recoveries.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: {(notReady ? "503 while Redis was away, " : string.Empty)}ready {recovery:0.00} s after Redis answered"));
        }

        result.Check("readiness recovers within 2 s of Redis answering", recovered && backAt > 0, string.Join("; ", recoveries));

        var requests = timeline.Requests.ToList();
        var slowest = requests.Select(r => r.LatencyMs).DefaultIfEmpty(0).Max();
        var outage = requests.Where(r => r.At >= killedAt - 1 && r.At <= backAt + 2).ToList();
        result.Check(
            $"no HTTP request waits past its timeout ({LoadGenerator.RequestTimeout.TotalSeconds:0} s)",
            requests.All(r => r.Error is null || !r.Error.StartsWith("no answer", StringComparison.Ordinal)) && slowest < LoadGenerator.RequestTimeout.TotalMilliseconds,
            $"slowest answer {Stats.Ms(slowest)}; around the outage {outage.Count} submissions: {outage.Count(r => r.Accepted)} accepted, {outage.Count(r => r.Status == 503)} answered 503 with Retry-After, {outage.Count(r => !r.Accepted && r.Status != 503)} failed otherwise");
        var unexpected = requests.Count(r => !r.Accepted && r.Status != 503);
        result.Check("every submission is answered 202 or, while Redis is away, 503 with Retry-After (never a 500 or a dropped connection)", unexpected == 0, $"{unexpected} other answers");

        // Breakers: each service falls back to local breakers while Redis is away, then rejoins the fleet view.
        var modes = syncModes.ToList();
        var wentLocal = modes.Where(m => m.At > killedAt && m.Sync != "fleet").Select(m => m.Service).Distinct().Order(StringComparer.Ordinal).ToList();
        var rejoined = services.Select(s => modes.Where(m => m.Service == s.Name && m.At > backAt).OrderBy(m => m.At).FirstOrDefault(m => m.Sync == "fleet")).ToList();
        var last = services.Select(s => modes.Where(m => m.Service == s.Name).OrderBy(m => m.At).LastOrDefault()).ToList();
        var agree = last.All(l => l.States is not null) && last.Select(l => l.States).Distinct().Count() == 1;
        result.Check(
            "breakers protect locally while Redis is away and reconcile after: every service back on the fleet view, all agreeing",
            wentLocal.Count > 0 && rejoined.All(r => r.Service is not null) && agree,
            $"local breakers on {(wentLocal.Count == 0 ? "no service" : string.Join(", ", wentLocal))}; fleet view again after {string.Join(", ", rejoined.Select(r => r.Service is null ? "never" : $"{r.Service} {r.At - backAt:0.0} s"))}; final states {(agree ? "identical on every service" : "differ: " + string.Join(" / ", last.Select(l => $"{l.Service}: {l.States}")))}");

        DrillContext.CheckJobs(result, outcomes, requests.Count(r => r.Accepted));
        result.Figure("Redis persistence", "append-only file, `appendfsync everysec` (the AppHost's redis.conf): a SIGKILLed redis-server loses nothing the kernel already has; see the cost below");
        foreach (var line in await PersistenceCostAsync())
        {
            result.Figure("redis-benchmark SET, 50 clients (no AOF / everysec / always)", line);
        }

        result.Notes.Add("Which persistence this needs: a killed redis-server process keeps every write it answered, because Redis writes the append-only file before it replies and the kernel keeps what was written; `appendfsync everysec` (our setting) is enough for this drill. A lost machine (power, kernel) can lose up to the last second with `everysec`; `appendfsync always` closes that at the cost measured above, and replication (a replica plus `WAIT`) is the other way.");
        File.WriteAllText(Path.Combine(ctx.Options.DocsDirectory, "drills", Name + ".svg"), Plot.Svg(result.Title, timeline, result.DurationSeconds, ["replicate", "supabase"], ["redis answers PING", .. services.Where(s => s.Name.StartsWith("api", StringComparison.Ordinal)).Select(s => s.Name + " ready")], "1 = yes"));
        return result;
    }

    private static async Task SampleReadyAsync(DrillContext ctx, string name, Uri url)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            using var response = await ctx.App.Http.GetAsync(new Uri(url, "/health/ready"), cts.Token);
            ctx.Timeline.Record(name + " ready", response.IsSuccessStatusCode ? 1 : 0);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            ctx.Timeline.Record(name + " ready", 0);
        }
    }

    private static async Task SampleSyncAsync(DrillContext ctx, string name, Uri url, ConcurrentQueue<(double, string, string, string)> modes)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var view = await ctx.App.GetJsonAsync(new Uri(url, "/metrics/circuit-breakers"), cancellationToken: cts.Token);
        var states = string.Join(",", view!["breakers"]!.AsArray().Select(b => $"{(string)b!["name"]!}={(string)b["state"]!}"));
        modes.Enqueue((ctx.Timeline.Now, name, (string)view["sync"]!, states));
    }

    /// <summary>A new connection, AUTH and PING, as a client arriving now would see Redis: 1 when it answers PONG within 200 ms.</summary>
    private static async Task SampleRedisAsync(string connectionString, Timeline timeline)
    {
        var parts = connectionString.Split(',');
        var endpoint = parts[0].Split(':');
        var password = parts.FirstOrDefault(p => p.StartsWith("password=", StringComparison.Ordinal))?["password=".Length..];
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            using var client = new TcpClient();
            await client.ConnectAsync(endpoint[0], int.Parse(endpoint[1], CultureInfo.InvariantCulture), cts.Token);
            var stream = client.GetStream();
            var command = (password is null ? string.Empty : $"AUTH {password}\r\n") + "PING\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command), cts.Token);
            var buffer = new byte[256];
            var text = string.Empty;
            while (!text.Contains("PONG", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, cts.Token);
                if (read == 0)
                {
                    break;
                }

                text += Encoding.ASCII.GetString(buffer, 0, read);
            }

            timeline.Record("redis answers PING", text.Contains("PONG", StringComparison.Ordinal) ? 1 : 0);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException)
        {
            timeline.Record("redis answers PING", 0);
        }
    }

    /// <summary>redis-benchmark SET against a scratch redis-server with each persistence setting: what `always` costs.</summary>
    private static async Task<IReadOnlyList<string>> PersistenceCostAsync()
    {
        var figures = new List<string>();
        var results = new List<string>();
        foreach (var (label, config) in new[] { ("no AOF", "--appendonly no"), ("everysec", "--appendonly yes --appendfsync everysec"), ("always", "--appendonly yes --appendfsync always") })
        {
            var dir = Directory.CreateTempSubdirectory("aiserver-drill-redis-").FullName;
            var port = AiServer.Tests.Infrastructure.FreePort.Next();
            using var server = Process.Start(new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --dir {dir} {config}") { RedirectStandardOutput = true })!;
            try
            {
                await Task.Delay(500);
                using var bench = Process.Start(new ProcessStartInfo("redis-benchmark", $"-p {port} -t set -n 50000 -c 50 -d 512 -q") { RedirectStandardOutput = true })!;
                var output = await bench.StandardOutput.ReadToEndAsync();
                await bench.WaitForExitAsync();
                var line = output.Split('\r', '\n').LastOrDefault(l => l.StartsWith("SET:", StringComparison.Ordinal))?.Trim() ?? "no result";
                results.Add($"{label}: {line["SET:".Length..].Trim()}");
            }
            finally
            {
                server.Kill();
                await server.WaitForExitAsync();
                Directory.Delete(dir, recursive: true);
            }
        }

        figures.Add(string.Join("; ", results));
        return figures;
    }
}
