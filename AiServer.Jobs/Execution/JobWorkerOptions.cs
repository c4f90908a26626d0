using System.ComponentModel.DataAnnotations;

namespace AiServer.Jobs.Execution;

/// <summary>Section <c>Workers</c>: which job kinds this process runs and how many at a time.</summary>
public sealed class JobWorkerOptions
{
    public const string SectionName = "Workers";

    /// <summary><c>Workers:Kinds:{i}</c>: the kinds this pool runs; empty (the default) runs every kind.</summary>
    public List<string> Kinds { get; set; } = [];

    /// <summary><c>Workers:Concurrency</c>: jobs of one kind this process runs at once (default 8).</summary>
    [Range(1, 1024)]
    public int Concurrency { get; set; } = 8;

    /// <summary><c>Workers:ReclaimInterval</c>: how often the pool looks for messages a dead worker left behind (default 5 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan ReclaimInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><c>Workers:IdlePoll</c>: the longest an idle pool waits before reading its streams again when no announcement came (default 1 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// <c>Workers:FinishGrace</c>: on shutdown, how long jobs in work may finish before they are handed back to the
    /// queue for another worker (default 3 s; keep it well inside <c>Shutdown:DrainTimeout</c> and the orchestrator's
    /// grace: DCP sends SIGKILL 6 s after SIGTERM, and a worker killed there leaves its jobs to the visibility timeout).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan FinishGrace { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The kinds to run: the configured ones, or all.</summary>
    public IReadOnlyList<string> EffectiveKinds => Kinds.Count == 0 ? JobKinds.All : Kinds;
}
