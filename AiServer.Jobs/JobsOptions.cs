using System.ComponentModel.DataAnnotations;

namespace AiServer.Jobs;

/// <summary>Section <c>Jobs</c>: the queue, retention, output storage and the provider defaults of job kinds.</summary>
public sealed class JobsOptions
{
    public const string SectionName = "Jobs";

    /// <summary><c>Jobs:Retention</c>: how long a job record (and its events) lives after its last change (default 7 days).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "90.00:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// <c>Jobs:VisibilityTimeout</c>: a message nobody has touched for this long belongs to a dead worker and is
    /// reclaimed by another (default 60 s). Live workers renew their messages every third of it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary><c>Jobs:MaxDeliveries</c>: a message delivered this often without finishing (a job that crashes its workers) is dead-lettered (default 10).</summary>
    [Range(2, 1000)]
    public int MaxDeliveries { get; set; } = 10;

    /// <summary><c>Jobs:MaxAttempts</c>: attempts per job against an unavailable provider before it fails and is dead-lettered (default 3, the externalAPI preset).</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary><c>Jobs:PollInterval</c>: how often a running provider job's status is read (default 2 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary><c>Jobs:MaxRunTime</c>: a provider job still running after this long fails (default 24 h: trainings are slow).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan MaxRunTime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// <c>Jobs:OutputPath</c>: where outputs are stored; the api serves them from here, so api and workers must share it
    /// (one machine locally, a shared volume when deployed). Relative paths are under the content root.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string OutputPath { get; set; } = "data/job-outputs";

    /// <summary><c>Jobs:MaxRequestBytes</c>: body size limit of the job routes (default 1 MiB).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxRequestBytes { get; set; } = 1024 * 1024;

    /// <summary><c>Jobs:MaxWait</c>: the longest <c>Prefer: wait=N</c> honoured (default 60 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary><c>Jobs:IdempotencyWindow</c>: how long an <c>Idempotency-Key</c> is remembered (default 24 h).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// <c>Jobs:Fallbacks:{kind}:{i}</c>: the providers a kind's jobs move through, in order, when the job's provider has
    /// its breaker OPEN or failed with a provider-side error after its attempts, before it accepted the job. A kind not
    /// listed uses <see cref="DefaultFallbacks"/> (image-generation: replicate then bfl); one provider listed turns
    /// fallback off for the kind.
    /// </summary>
    public Dictionary<string, List<string>> Fallbacks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The fallback orders used for kinds <see cref="Fallbacks"/> does not list.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> DefaultFallbacks = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        [JobKinds.ImageGeneration] = [AiServer.Providers.ProviderNames.Replicate, AiServer.Providers.ProviderNames.Bfl],
    };

    /// <summary>The providers <paramref name="kind"/>'s jobs may move through, in order (empty: no fallback).</summary>
    public IReadOnlyList<string> FallbacksOf(string kind) =>
        Fallbacks.TryGetValue(kind, out var configured) ? configured : DefaultFallbacks.GetValueOrDefault(kind) ?? [];

    /// <summary><c>Jobs:ReplicateImageModel</c>: the Replicate model of <c>image-generation</c> jobs that name none.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ReplicateImageModel { get; set; } = "black-forest-labs/flux-schnell";

    /// <summary><c>Jobs:ReplicateTrainer</c>: the Replicate trainer of <c>model-training</c> jobs, <c>owner/name:version</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*:[0-9a-f]{64}$", ErrorMessage = "Jobs:ReplicateTrainer must be owner/name:<64-hex version>.")]
    public string ReplicateTrainer { get; set; } = "ostris/flux-dev-lora-trainer:e440909d3512c31646ee2e0c7d6f6f4923224863a6a10c494606e79fb5844497";

    /// <summary><c>Jobs:BflImageEndpoint</c>: the BFL endpoint of <c>image-generation</c> jobs on BFL that name none.</summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^flux-[a-z0-9.-]+$", ErrorMessage = "Jobs:BflImageEndpoint must be a FLUX endpoint such as flux-pro-1.1.")]
    public string BflImageEndpoint { get; set; } = "flux-pro-1.1";
}
