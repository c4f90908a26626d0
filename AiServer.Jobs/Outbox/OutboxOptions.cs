using System.ComponentModel.DataAnnotations;

namespace AiServer.Jobs.Outbox;

/// <summary>Section <c>Outbox</c>: the relay that writes every job change from the Redis outbox to Supabase.</summary>
public sealed class OutboxOptions
{
    public const string SectionName = "Outbox";

    /// <summary>
    /// <c>Outbox:Enabled</c>: whether job changes are mirrored to Supabase (default true): the api and the workers write
    /// outbox entries, the api relays them. Set false (on every service alike) where no Supabase is used, or the outbox
    /// would only grow.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary><c>Outbox:JobsTable</c>: the table of current job rows (default <c>ai_jobs</c>, see <c>docs/sql/</c>).</summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "Outbox:JobsTable must be a lower-case SQL identifier.")]
    public string JobsTable { get; set; } = "ai_jobs";

    /// <summary><c>Outbox:EventsTable</c>: the table of every state of every job (default <c>ai_job_events</c>).</summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "Outbox:EventsTable must be a lower-case SQL identifier.")]
    public string EventsTable { get; set; } = "ai_job_events";

    /// <summary><c>Outbox:BatchSize</c>: entries relayed per round trip (default 100).</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 100;

    /// <summary><c>Outbox:IdlePoll</c>: how long the relay sleeps when the outbox is empty (default 500 ms).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary><c>Outbox:RetryDelay</c>: the wait after a failed write, and between looks at an OPEN <c>supabase</c> breaker (default 1 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary><c>Outbox:LeaseTime</c>: the relay lease; another process takes over this long after the holder died (default 10 s).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(10);
}
