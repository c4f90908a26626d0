using System.Diagnostics;
using System.Globalization;
using AiServer.ServiceDefaults.Redis;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace AiServer.Benchmarks.Redis;

/// <summary>
/// GET/SET throughput of the Redis client with 1, 16 and 256 concurrent callers sharing its one connection, against
/// a redis-server started here (same key and 3-byte value as redis-benchmark's defaults). Mean / op is the inverse
/// of throughput; per-operation latency percentiles are printed as <c>REDIS-LATENCY</c> lines at the end of each case.
/// Run: <c>dotnet run -c Release --project AiServer.Benchmarks -- --filter '*RedisClientBenchmarks*'</c>.
/// </summary>
[Config(typeof(ShortConfig))]
[MemoryDiagnoser]
public class RedisClientBenchmarks
{
    public const int OperationsPerInvoke = 8192;

    private const int MeasuredIterations = 8;

    private const string Key = "key:__rand_int__";
    private const int LatencySamplesPerCaller = 1 << 16;

    private BenchmarkRedisServer? _server;
    private RedisClient? _client;
    private IRedisDatabase _db = null!;
    private readonly RedisValue _value = "xxx"u8.ToArray();
    private long[][] _latencies = [];
    private int[] _sampleCounts = [];
    private Task[] _tasks = [];
    private readonly List<long[]> _iterations = [];
    private readonly List<(TimeSpan Client, TimeSpan Server)> _cpu = [];
    private TimeSpan _clientCpuAtStart;
    private TimeSpan _serverCpuAtStart;

    [Params(1, 16, 256)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _server = BenchmarkRedisServer.Start();
        _client = RedisClient.Create(_server.ConnectionString, clientName: "aiserver-benchmark");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        _client.ConnectAsync(timeout.Token).GetAwaiter().GetResult();
        _db = _client.GetDatabase();
        _db.StringSetAsync(Key, _value).AsTask().GetAwaiter().GetResult();
        _latencies = Enumerable.Range(0, Callers).Select(_ => new long[LatencySamplesPerCaller]).ToArray();
        _sampleCounts = new int[Callers];
        _tasks = new Task[Callers];
    }

    [IterationSetup]
    public void ResetSamples()
    {
        Array.Clear(_sampleCounts);
        _clientCpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        _serverCpuAtStart = _server!.ProcessorTime;
    }

    /// <summary>Keeps each iteration's samples; the report uses the last <see cref="MeasuredIterations"/> (the workload ones).</summary>
    [IterationCleanup]
    public void KeepSamples()
    {
        var samples = new List<long>();
        for (int c = 0; c < _latencies.Length; c++)
        {
            samples.AddRange(_latencies[c].Take(Math.Min(_sampleCounts[c], LatencySamplesPerCaller)));
        }

        _iterations.Add([.. samples]);
        _cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - _clientCpuAtStart, _server!.ProcessorTime - _serverCpuAtStart));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        ReportLatency();
        _client?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server?.Dispose();
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke)]
    public Task Get()
    {
        int perCaller = OperationsPerInvoke / Callers;
        for (int i = 0; i < Callers; i++)
        {
            _tasks[i] = GetLoop(i, perCaller);
        }

        return Task.WhenAll(_tasks);
    }

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke)]
    public Task Set()
    {
        int perCaller = OperationsPerInvoke / Callers;
        for (int i = 0; i < Callers; i++)
        {
            _tasks[i] = SetLoop(i, perCaller);
        }

        return Task.WhenAll(_tasks);
    }

    private async Task GetLoop(int caller, int operations)
    {
        long[] samples = _latencies[caller];
        for (int i = 0; i < operations; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await _db.StringGetAsync(Key).ConfigureAwait(false);
            samples[_sampleCounts[caller]++ & (LatencySamplesPerCaller - 1)] = Stopwatch.GetTimestamp() - start;
        }
    }

    private async Task SetLoop(int caller, int operations)
    {
        long[] samples = _latencies[caller];
        for (int i = 0; i < operations; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await _db.StringSetAsync(Key, _value).ConfigureAwait(false);
            samples[_sampleCounts[caller]++ & (LatencySamplesPerCaller - 1)] = Stopwatch.GetTimestamp() - start;
        }
    }

    /// <summary>Per-operation latency over the workload iterations.</summary>
    private void ReportLatency()
    {
        var all = _iterations.Skip(Math.Max(0, _iterations.Count - MeasuredIterations)).SelectMany(s => s).ToList();

        if (all.Count == 0)
        {
            return;
        }

        all.Sort();
        List<(TimeSpan Client, TimeSpan Server)> cpu = [.. _cpu.Skip(Math.Max(0, _cpu.Count - MeasuredIterations))];
        double operations = cpu.Count * (double)OperationsPerInvoke;
        double clientCpuUs = cpu.Sum(c => c.Client.TotalMicroseconds) / operations;
        double serverCpuUs = cpu.Sum(c => c.Server.TotalMicroseconds) / operations;
        double Us(double quantile) => all[(int)Math.Min(all.Count - 1, Math.Round(quantile * (all.Count - 1)))] * 1_000_000.0 / Stopwatch.Frequency;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"REDIS-LATENCY callers={Callers} samples={all.Count} p50={Us(0.50):0.0}us p90={Us(0.90):0.0}us p99={Us(0.99):0.0}us p99.9={Us(0.999):0.0}us max={Us(1):0.0}us cpu/op: client={clientCpuUs:0.00}us redis-server={serverCpuUs:0.00}us"));
    }

    private sealed class ShortConfig : ManualConfig
    {
        public ShortConfig()
        {
            // In-process: nothing to build at run time; short: the machine is shared, the run must take minutes.
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(MeasuredIterations)
                .WithId("RedisShort"));
            AddDiagnoser(MemoryDiagnoser.Default);
            WithOption(ConfigOptions.DisableOptimizationsValidator, false);
        }
    }
}
