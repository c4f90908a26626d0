namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// The breakers every AiServer service knows, with the values of the seed <c>circuit-breaker-integration</c>.
/// Any other name is allowed too and starts from the global defaults.
/// </summary>
public static class CircuitBreakerPresets
{
    /// <summary>Replicate: 5 failures / 30 s recovery / 60 s window / 3 successes.</summary>
    public const string Replicate = "replicate";

    /// <summary>Supabase: 3 / 10 s / 30 s / 2.</summary>
    public const string Supabase = "supabase";

    /// <summary>ElevenLabs: 4 / 20 s / 45 s / 2.</summary>
    public const string ElevenLabs = "elevenlabs";

    /// <summary>Sync Labs: 4 / 25 s / 50 s / 2.</summary>
    public const string SyncLabs = "synclabs";

    /// <summary>Hugging Face (can be slow): 6 / 45 s / 90 s / 3.</summary>
    public const string HuggingFace = "huggingface";

    /// <summary>Black Forest Labs: 5 / 30 s / 60 s / 2.</summary>
    public const string Bfl = "bfl";

    /// <summary>File downloads: 3 / 5 s / 15 s / 2.</summary>
    public const string FileDownload = "file-download";

    /// <summary>The names of every preset, in the seed's order.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [Replicate, Supabase, ElevenLabs, SyncLabs, HuggingFace, Bfl, FileDownload];

    /// <summary>Returns a fresh copy of the preset for <paramref name="name"/>, or <see langword="null"/> when there is none.</summary>
    /// <param name="name">A breaker name (case-sensitive, as in configuration keys and metrics).</param>
    public static CircuitBreakerOptions? TryGet(string name) => name switch
    {
        Replicate => Create(5, 30, 60, 3),
        Supabase => Create(3, 10, 30, 2),
        ElevenLabs => Create(4, 20, 45, 2),
        SyncLabs => Create(4, 25, 50, 2),
        HuggingFace => Create(6, 45, 90, 3),
        Bfl => Create(5, 30, 60, 2),
        FileDownload => Create(3, 5, 15, 2),
        _ => null,
    };

    private static CircuitBreakerOptions Create(int failures, int recoverySeconds, int windowSeconds, int successes) => new()
    {
        FailureThreshold = failures,
        RecoveryTimeout = TimeSpan.FromSeconds(recoverySeconds),
        MonitoringPeriod = TimeSpan.FromSeconds(windowSeconds),
        SuccessThreshold = successes,
    };
}
