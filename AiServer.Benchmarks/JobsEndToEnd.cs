using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace AiServer.Benchmarks;

/// <summary>
/// End-to-end overhead of a job: submit a speech job with <c>Prefer: wait=30</c> and time until the api answers 200
/// with the succeeded job (queue, worker, emulator, record, output stored), at a fixed number of jobs in flight.
/// Usage: <c>AiServer.Benchmarks jobs-e2e API_URL API_KEY IN_FLIGHT JOBS</c>. Prints p50, p99, max and jobs/s.
/// </summary>
internal static class JobsEndToEnd
{
    public static async Task RunAsync(string[] args)
    {
        var api = new Uri(args[0]);
        var key = args[1];
        var inFlight = int.Parse(args[2], CultureInfo.InvariantCulture);
        var total = int.Parse(args[3], CultureInfo.InvariantCulture);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = inFlight * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var http = new HttpClient(handler) { BaseAddress = api, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        // Warm-up: connections, JIT, the worker's first provider call.
        await RunAsync(http, Math.Min(inFlight, 8), Math.Max(20, inFlight)).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        var (latencies, failures) = await RunAsync(http, inFlight, total).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        latencies.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"in flight {inFlight}: {latencies.Count} jobs, {failures} failed, p50 {Percentile(latencies, 0.50):0.0} ms, p99 {Percentile(latencies, 0.99):0.0} ms, max {latencies[^1]:0.0} ms, {latencies.Count / seconds:0} jobs/s"));
    }

    private static async Task<(List<double> Latencies, int Failures)> RunAsync(HttpClient http, int inFlight, int total)
    {
        var latencies = new List<double>(total);
        var failures = 0;
        var next = 0;
        var gate = new object();
        async Task Loop()
        {
            while (Interlocked.Increment(ref next) <= total)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "v1/jobs/speech")
                {
                    Content = new StringContent("""{"text":"Benchmark sentence.","voice_id":"21m00Tcm4TlvDq8ikWAM"}""", Encoding.UTF8, "application/json"),
                };
                request.Headers.TryAddWithoutValidation("Prefer", "wait=30");
                var start = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                lock (gate)
                {
                    if (response.StatusCode == HttpStatusCode.OK && body.Contains("\"succeeded\"", StringComparison.Ordinal))
                    {
                        latencies.Add(elapsed);
                    }
                    else
                    {
                        failures++;
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(Loop))).ConfigureAwait(false);
        return (latencies, failures);
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
