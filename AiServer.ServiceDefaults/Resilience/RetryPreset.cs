namespace AiServer.ServiceDefaults.Resilience;

/// <summary>The retry presets of the seed <c>reliability-guide</c>.</summary>
public enum RetryPreset
{
    /// <summary>External APIs: 3 attempts in total, 1 s base, 10 s max, base 2, jitter.</summary>
    ExternalApi = 0,

    /// <summary>Database: 2 attempts, 500 ms base, 2 s max, base 2, no jitter.</summary>
    Database = 1,

    /// <summary>Critical operations: 5 attempts, 2 s base, 30 s max, base 1.5, jitter.</summary>
    Critical = 2,
}
