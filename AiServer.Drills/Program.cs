using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using AiServer.Drills;
using AiServer.Drills.Drills;

// The drill harness: ./drills.sh [drill ...] [--quick] [--rate N] [--docs DIR]. Starts the whole app once through the
// AppHost, runs the named drills (all by default) in order, prints PASS/FAIL per criterion, writes each drill's section
// and plot under docs/drills/ and rebuilds docs/DRILLS.md from them. Exit code 0 only when every drill passed.
var drills = new (string Name, Func<DrillContext, Task<DrillResult>> Run)[]
{
    (ProviderOutageDrill.Name, ProviderOutageDrill.RunAsync),
    (RedisRestartDrill.Name, RedisRestartDrill.RunAsync),
    (WorkerKillDrill.Name, WorkerKillDrill.RunAsync),
    (RollingRestartDrill.Name, RollingRestartDrill.RunAsync),
    (SupabaseOutageDrill.Name, SupabaseOutageDrill.RunAsync),
    (SustainedLoadDrill.Name, SustainedLoadDrill.RunAsync),
};

var names = new List<string>();
var scale = 1.0;
double? rate = null;
string? docs = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick":
            scale = 0.2;
            break;
        case "--rate" when i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var r) && r > 0:
            rate = r;
            i++;
            break;
        case "--docs" when i + 1 < args.Length:
            docs = args[++i];
            break;
        case var name when drills.Any(d => d.Name == name):
            names.Add(name);
            break;
        default:
            await Console.Error.WriteLineAsync($"error: unknown argument '{args[i]}'. Usage: drills.sh [{string.Join('|', drills.Select(d => d.Name))} ...] [--quick] [--rate <submissions/s for sustained-load>] [--docs <dir>]");
            return 2;
    }
}

var selected = drills.Where(d => names.Count == 0 || names.Contains(d.Name)).ToList();
// A --quick run is for trying the harness: its plots go to a scratch folder, docs/ keeps the figures of a full run.
docs ??= scale == 1.0 ? "docs" : Path.Combine(Path.GetTempPath(), "aiserver-drills-quick");
var options = new DrillOptions([.. selected.Select(d => d.Name)], scale, Path.GetFullPath(docs), rate);
Directory.CreateDirectory(Path.Combine(options.DocsDirectory, "drills"));
var total = Stopwatch.StartNew();
void Log(string line) => Console.WriteLine($"[{total.Elapsed:mm\\:ss}] {line}");

var command = "./drills.sh" + (args.Length > 0 ? " " + string.Join(' ', args) : string.Empty);
var machine = Machine();
var results = new List<DrillResult>();
await using (var app = await DrillApp.StartAsync(Log))
{
    Log($"app healthy: api {app.ApiUrl}, emulator {app.EmulatorUrl}");
    var context = new DrillContext(app, options, Log);
    await context.WarmUpAsync();
    foreach (var (name, run) in selected)
    {
        Log($"drill {name} ...");
        DrillResult result;
        try
        {
            result = await run(context);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or HttpRequestException)
        {
            result = new DrillResult(name, name);
            result.Check("the drill runs to its end", false, ex.Message);
        }

        results.Add(result);
        foreach (var (criterion, measured, pass) in result.Criteria)
        {
            Log($"  {(pass ? "PASS" : "FAIL")}  {criterion}: {measured}");
        }

        foreach (var (figure, value) in result.Figures)
        {
            Log($"        {figure}: {value}");
        }

        Log($"drill {name}: {(result.Passed ? "PASS" : "FAIL")} ({result.DurationSeconds:0} s)");
        if (options.Scale == 1.0)
        {
            await File.WriteAllTextAsync(Path.Combine(options.DocsDirectory, "drills", name + ".md"), result.Markdown(command, machine, DateTimeOffset.UtcNow));
        }
    }
}

if (options.Scale == 1.0)
{
    await File.WriteAllTextAsync(Path.Combine(options.DocsDirectory, "DRILLS.md"), Report(drills.Select(d => d.Name), options.DocsDirectory));
}

Log($"{results.Count(r => r.Passed)} of {results.Count} drills passed in {total.Elapsed.TotalMinutes:0.0} min{(options.Scale == 1.0 ? "; figures in docs/DRILLS.md" : $" (--quick: docs/DRILLS.md left as it was, plots in {options.DocsDirectory}/drills)")}");
return results.All(r => r.Passed) ? 0 : 1;

static string Machine()
{
    var cpu = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() : null;
    var memory = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").First().Split(':', 2)[1].Trim() : null;
    return $"{Environment.ProcessorCount} cores ({cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}), {memory ?? "?"} RAM, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
}

static string Report(IEnumerable<string> order, string docs)
{
    var md = new StringBuilder();
    md.Append(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "DRILLS.header.md")));
    md.AppendLine("| resource | setting | value | why |");
    md.AppendLine("|---|---|---|---|");
    foreach (var (resource, key, value, why) in DrillApp.Settings)
    {
        md.AppendLine(CultureInfo.InvariantCulture, $"| {resource} | `{key}` | {value} | {why} |");
    }

    md.AppendLine();
    foreach (var name in order)
    {
        var section = Path.Combine(docs, "drills", name + ".md");
        md.AppendLine(File.Exists(section) ? File.ReadAllText(section) : $"## {name}: not run yet\n");
    }

    return md.ToString();
}
