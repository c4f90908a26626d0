using BenchmarkDotNet.Running;

namespace AiServer.Benchmarks;

internal static class Program
{
    public static async Task Main(string[] args)
    {
        // "propagation": the fleet breaker's OPEN propagation and lost-message healing over real Redis (console mode).
        if (args.Length > 0 && args[0] == "propagation")
        {
            await BreakerPropagationBenchmark.RunAsync(args[1..]).ConfigureAwait(false);
            return;
        }

        // "bare-api": the baseline minimal API of scripts/bench-jobs.sh; "jobs-e2e": submit-to-succeeded latency.
        if (args.Length > 0 && args[0] == "bare-api")
        {
            await BareApi.RunAsync(args[1..]).ConfigureAwait(false);
            return;
        }

        if (args.Length > 0 && args[0] == "jobs-e2e")
        {
            await JobsEndToEnd.RunAsync(args[1..]).ConfigureAwait(false);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
