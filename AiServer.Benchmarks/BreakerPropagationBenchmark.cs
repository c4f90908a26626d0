using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace AiServer.Benchmarks;

/// <summary>
/// Console mode: two instances (separate hosts and Redis connections) on a private loopback redis-server.
/// 1. OPEN propagation: instance A trips, the clock stops when instance B's snapshot is OPEN; A then resets and we wait
///    for B to close. Repeated N times (default 1,000), percentiles printed.
/// 2. Lost message healing: the state is written to Redis without PUBLISH; the clock stops when B sees it via resync.
/// Usage: <c>dotnet run -c Release --project AiServer.Benchmarks -- propagation [transitions] [heals]</c>.
/// </summary>
internal static class BreakerPropagationBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var transitions = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var heals = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        var port = FreePort();
        using var redis = Process.Start(new ProcessStartInfo("redis-server", ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            var connection = $"127.0.0.1:{port}";
            using var a = await StartAsync(connection, "bench-a");
            using var b = await StartAsync(connection, "bench-b");
            var breakerA = a.Services.GetRequiredService<CircuitBreakerRegistry>().GetFleet("bench");
            var breakerB = b.Services.GetRequiredService<CircuitBreakerRegistry>().GetFleet("bench");
            await WaitAsync(() => a.Services.GetRequiredService<FleetSyncService>().IsConnected && b.Services.GetRequiredService<FleetSyncService>().IsConnected, "both instances connected");

            var samples = new double[transitions];
            for (var i = 0; i < transitions; i++)
            {
                var start = Stopwatch.GetTimestamp();
                var permit = breakerA.TryEnter(out _);
                breakerA.OnCompleted(permit, "bench failure");
                await SpinUntilAsync(() => breakerB.Snapshot is { IsLocal: false, State: CircuitState.Open }, "B to see OPEN");
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                await breakerA.ResetAsync();
                await SpinUntilAsync(() => breakerB.Snapshot.IsPlainClosed && breakerA.Snapshot.IsPlainClosed, "both to close again");
            }

            Report($"OPEN propagation A -> B over {transitions} transitions", samples);

            var healSamples = new double[heals];
            using var cli = new Redis(connection);
            for (var i = 0; i < heals; i++)
            {
                var version = breakerB.Snapshot.Version + 1_000_000;
                var start = Stopwatch.GetTimestamp();
                await cli.WriteWithoutPublishAsync(version);
                await SpinUntilAsync(() => breakerB.Snapshot.Version == version, "B to heal through resync");
                healSamples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                await breakerA.ResetAsync();
                await SpinUntilAsync(() => breakerB.Snapshot.IsPlainClosed, "B to close again");
                await Task.Delay(Random.Shared.Next(0, 1000)); // land anywhere in the resync period
            }

            Report($"Lost message healed by resync (interval 1 s) over {heals} samples", healSamples);
            await a.StopAsync();
            await b.StopAsync();
        }
        finally
        {
            redis.Kill();
            await redis.WaitForExitAsync();
        }
    }

    private static void Report(string title, double[] samples)
    {
        Array.Sort(samples);
        double P(double q) => samples[Math.Min(samples.Length - 1, (int)Math.Ceiling(q * samples.Length) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{title}: p50 {P(0.50):0.000} ms, p90 {P(0.90):0.000} ms, p99 {P(0.99):0.000} ms, max {samples[^1]:0.000} ms, mean {samples.Average():0.000} ms"));
    }

    private static async Task<IHost> StartAsync(string connection, string id)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = connection,
            ["Redis:KeyPrefix"] = "bench:",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "service.instance.id=" + id,
            ["CircuitBreakers:bench:FailureThreshold"] = "1",
            ["CircuitBreakers:bench:RecoveryTimeout"] = "00:10:00",
        });
        builder.AddFleetCircuitBreakers();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("Timed out waiting for " + what);
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Polls without sleeping (a yield between polls), so the measurement is not quantised by timer resolution.</summary>
    private static async Task SpinUntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("Timed out waiting for " + what);
            }

            await Task.Yield();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Writes the breaker hash directly (no PUBLISH), as if the transition's message had been lost.</summary>
    private sealed class Redis(string connection) : IDisposable
    {
        private readonly ConnectionMultiplexer _connection = ConnectionMultiplexer.Connect(connection);

        public async Task WriteWithoutPublishAsync(long version)
        {
            var db = _connection.GetDatabase();
            var time = await _connection.GetServers()[0].TimeAsync();
            await db.HashSetAsync("bench:{cb:bench}", [
                new("state", "OPEN"),
                new("version", version),
                new("openUntil", new DateTimeOffset(time, TimeSpan.Zero).ToUnixTimeMilliseconds() + 600_000),
                new("forced", "NONE"),
                new("openedBy", "lost-message"),
                new("reason", "written without publish"),
                new("halfOpenSuccesses", 0),
            ]);
        }

        public void Dispose() => _connection.Dispose();
    }
}
