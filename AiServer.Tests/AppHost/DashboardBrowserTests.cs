using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using AiServer.Tests.Infrastructure;
using Microsoft.Playwright;

namespace AiServer.Tests.AppHost;

/// <summary>Runs on its own: a whole AppHost with the real Aspire dashboard, as ./run.sh starts it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DashboardCollection
{
    public const string Name = "Dashboard (AppHost as a process)";
}

/// <summary>
/// The AppHost started the way <c>./run.sh</c> starts it (the http launch profile's settings), the Aspire dashboard
/// driven in Debian's chromium through Playwright, and a SIGTERM that must leave no process behind.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed partial class DashboardBrowserTests
{
    private static readonly string[] s_pools = ["training-worker", "speech-worker", "lipsync-worker"];
    private static readonly string[] s_breakers = ["replicate", "supabase", "elevenlabs", "synclabs", "huggingface", "bfl", "file-download"];

    [Fact]
    public async Task Dashboard_ListsEveryResourceAndBreaker_FollowsAForcedOpen_ShowsTelemetry_AndSigtermLeavesNoProcess()
    {
        // Arrange: start the AppHost with the launch profile's environment on free ports.
        var dataDirectory = Directory.CreateTempSubdirectory("aiserver-dashboard-").FullName;
        var dashboardPort = FreePort.Next();
        var output = new ConcurrentQueue<string>();
        using var apphost = StartAppHost(dashboardPort, dataDirectory, output);
        string Output() => string.Join(Environment.NewLine, output.TakeLast(80));
        var tracked = new HashSet<int>();
        try
        {
            await Wait.UntilAsync(() => output.Any(l => l.Contains("AiServer is ready.", StringComparison.Ordinal)) || apphost.HasExited,
                TimeSpan.FromMinutes(4), () => $"the AppHost's 'AiServer is ready' line. Output:{Environment.NewLine}{Output()}");
            if (apphost.HasExited)
            {
                Assert.Fail($"the AppHost exited ({apphost.ExitCode}):{Environment.NewLine}{Output()}");
            }

            var login = output.Select(l => LoginUrl().Match(l)).First(m => m.Success).Value;
            var ready = output.Select(l => ReadyLine().Match(l)).First(m => m.Success);
            var api = new Uri(ready.Groups["api"].Value);
            var token = ready.Groups["token"].Value;
            Assert.StartsWith($"http://localhost:{dashboardPort}/login?t=", login, StringComparison.Ordinal);
            foreach (var pid in Processes(apphost.Id, dataDirectory))
            {
                tracked.Add(pid);
            }

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = "/usr/bin/chromium",
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            });
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
            await page.GotoAsync(login);

            // Assert: every resource is listed and running, both api replicas among them, and the seven breakers CLOSED.
            await Wait.UntilAsync(async () =>
                {
                    var rows = await page.Locator("[role=row]").AllInnerTextsAsync();
                    return Row(rows, "redis")?.Contains("Running", StringComparison.Ordinal) == true
                        && Row(rows, "providers")?.Contains("Running", StringComparison.Ordinal) == true
                        && s_pools.All(p => Row(rows, p)?.Contains("Running", StringComparison.Ordinal) == true)
                        && rows.Count(r => ApiReplicaRow().IsMatch(r) && r.Contains("Running", StringComparison.Ordinal)) == 2
                        && s_breakers.All(b => Row(rows, $"breaker-{b}")?.Contains("CLOSED", StringComparison.Ordinal) == true);
                },
                TimeSpan.FromMinutes(2), () => $"the dashboard to list redis, providers, 2 api replicas, the three worker pools Running and 7 breakers CLOSED. Page:{Environment.NewLine}{Text(page)}{Environment.NewLine}AppHost:{Environment.NewLine}{Output()}",
                TimeSpan.FromMilliseconds(500));

            // Act: force replicate open through the admin endpoint.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, "/admin/circuit-breakers/replicate/force-open?reason=browser-test")))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
                Assert.True(response.IsSuccessStatusCode, $"force-open answered {(int)response.StatusCode}");
            }

            // Assert: its row turns OPEN while the others stay CLOSED.
            await Wait.UntilAsync(async () =>
                {
                    var rows = await page.Locator("[role=row]").AllInnerTextsAsync();
                    return Row(rows, "breaker-replicate")?.Contains("OPEN", StringComparison.Ordinal) == true
                        && Row(rows, "breaker-supabase")?.Contains("CLOSED", StringComparison.Ordinal) == true;
                },
                TimeSpan.FromSeconds(30), () => $"breaker-replicate's row to show OPEN. Page:{Environment.NewLine}{Text(page)}", TimeSpan.FromMilliseconds(250));
            var screenshots = Path.Combine(SolutionPaths.Root, "TestResults");
            Directory.CreateDirectory(screenshots);
            await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "dashboard.png") });

            // Telemetry over OTLP: traces of a request, structured logs of both services, the services' metrics.
            using (var traced = await http.GetAsync(new Uri(api, "/v1/not-a-route"), TestContext.Current.CancellationToken))
            {
                Assert.Equal(System.Net.HttpStatusCode.NotFound, traced.StatusCode);
            }

            await WaitForPageTextAsync(page, $"http://localhost:{dashboardPort}/traces", "api: GET", "a trace of the api's request on the Traces page");
            await WaitForPageTextAsync(page, $"http://localhost:{dashboardPort}/structuredlogs", "Fleet breaker sync connected", "the services' structured logs");
            await WaitForPageTextAsync(page, $"http://localhost:{dashboardPort}/metrics/resource/speech-worker", "circuit_breaker.state", "the speech workers' breaker metrics");

            // Act: stop the AppHost as a terminal or a container runtime does.
            foreach (var pid in Processes(apphost.Id, dataDirectory))
            {
                tracked.Add(pid);
            }

            Assert.True(Signals.Terminate(apphost.Id), "SIGTERM could not be sent to the AppHost");
            var exited = await Task.Run(() => apphost.WaitForExit(TimeSpan.FromSeconds(90)), TestContext.Current.CancellationToken);
            Assert.True(exited, $"the AppHost did not exit within 90 s of SIGTERM. Output:{Environment.NewLine}{Output()}");

            // Assert: DCP, redis-server, the emulator, the api replicas and the worker pools are all gone.
            await Wait.UntilAsync(() => tracked.All(pid => !ServiceProcess.IsAlive(pid)), TimeSpan.FromSeconds(60),
                () => $"every process of the app to exit after SIGTERM; still alive: {string.Join(", ", tracked.Where(ServiceProcess.IsAlive).Select(p => $"{p} {ProcessTree.CommandLine(p)}"))}");
            Assert.True(tracked.Count >= 11, $"expected at least DCP, redis-server, the emulator, 2 api and 3 worker pools among the tracked processes; found {tracked.Count}");
        }
        finally
        {
            if (!apphost.HasExited)
            {
                apphost.Kill(entireProcessTree: true);
            }

            foreach (var pid in tracked.Where(ServiceProcess.IsAlive))
            {
                Signals.Send(pid, Signals.Sigkill);
            }
        }
    }

    private static Process StartAppHost(int dashboardPort, string dataDirectory, ConcurrentQueue<string> output)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.Combine(SolutionPaths.Root, "AiServer.AppHost"),
        };
        start.ArgumentList.Add(SolutionPaths.ProjectDll("AiServer.AppHost"));
        start.Environment["ASPNETCORE_URLS"] = $"http://localhost:{dashboardPort}";
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://localhost:{FreePort.Next()}";
        start.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://localhost:{FreePort.Next()}";
        start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["Api__Port"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Redis__DataDirectory"] = dataDirectory;
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The AppHost's descendants, DCP (which detaches but names the AppHost it monitors) and everything below it.</summary>
    private static IEnumerable<int> Processes(int apphost, string dataDirectory)
    {
        var roots = new List<int> { apphost };
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && ProcessTree.CommandLine(pid) is { } cmd
                && (cmd.Contains($"--monitor {apphost}", StringComparison.Ordinal) || cmd.Contains(dataDirectory, StringComparison.Ordinal)))
            {
                roots.Add(pid);
            }
        }

        return roots.Skip(1).Concat(roots.SelectMany(ProcessTree.Descendants)).Distinct();
    }

    private static async Task WaitForPageTextAsync(IPage page, string url, string text, string what) =>
        await Wait.UntilAsync(async () =>
            {
                await page.GotoAsync(url);
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                for (var i = 0; i < 10; i++)
                {
                    if ((await page.Locator("body").InnerTextAsync()).Contains(text, StringComparison.Ordinal))
                    {
                        return true;
                    }

                    await Task.Delay(500);
                }

                return false;
            },
            TimeSpan.FromSeconds(60), () => $"{what} ('{text}' on {url}). Page:{Environment.NewLine}{Text(page)}", TimeSpan.FromSeconds(1));

    private static string? Row(IReadOnlyList<string> rows, string name) =>
        rows.FirstOrDefault(r => r.Split('\n', StringSplitOptions.TrimEntries).FirstOrDefault() == name);

    private static string Text(IPage page)
    {
        try
        {
            return page.Locator("body").InnerTextAsync().WaitAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is TimeoutException or PlaywrightException)
        {
            return $"(page text unavailable: {ex.Message})";
        }
    }

    [GeneratedRegex(@"http://localhost:\d+/login\?t=[0-9a-f]+")]
    private static partial Regex LoginUrl();

    [GeneratedRegex(@"AiServer is ready\. api: (?<api>http://\S+) .*Admin token for /admin/\*: (?<token>[A-Za-z0-9]+)")]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"^api-[a-z0-9]+\n")]
    private static partial Regex ApiReplicaRow();
}
