namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// The numbers of one retry preset. The delay before retry <c>n</c> (1-based) is
/// <c>min(MaxDelay, BaseDelay x ExponentialBase^(n-1))</c>; with jitter it is drawn from [50 %, 100 %] of that.
/// </summary>
public sealed class RetryPresetOptions
{
    /// <summary>Attempts in total, the first one included.</summary>
    public required int MaxAttempts { get; init; }

    /// <summary>The delay before the first retry.</summary>
    public required TimeSpan BaseDelay { get; init; }

    /// <summary>The largest delay; a Retry-After longer than this ends the retries.</summary>
    public required TimeSpan MaxDelay { get; init; }

    /// <summary>The growth factor per retry.</summary>
    public required double ExponentialBase { get; init; }

    /// <summary>Spread the delays so that a fleet does not retry in lockstep.</summary>
    public required bool UseJitter { get; init; }

    /// <summary>The preset's name in logs and metrics (the seed's spelling).</summary>
    public required string Name { get; init; }

    /// <summary>Returns the numbers of <paramref name="preset"/>.</summary>
    /// <param name="preset">The preset.</param>
    public static RetryPresetOptions For(RetryPreset preset) => preset switch
    {
        RetryPreset.ExternalApi => ExternalApi,
        RetryPreset.Database => Database,
        RetryPreset.Critical => Critical,
        _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, "Unknown retry preset."),
    };

    private static readonly RetryPresetOptions ExternalApi = new()
    {
        Name = "externalAPI", MaxAttempts = 3, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(10), ExponentialBase = 2, UseJitter = true,
    };

    private static readonly RetryPresetOptions Database = new()
    {
        Name = "database", MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(500), MaxDelay = TimeSpan.FromSeconds(2), ExponentialBase = 2, UseJitter = false,
    };

    private static readonly RetryPresetOptions Critical = new()
    {
        Name = "critical", MaxAttempts = 5, BaseDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(30), ExponentialBase = 1.5, UseJitter = true,
    };
}
