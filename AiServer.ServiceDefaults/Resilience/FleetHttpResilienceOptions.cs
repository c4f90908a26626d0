namespace AiServer.ServiceDefaults.Resilience;

/// <summary>Timeouts of the fleet HTTP resilience handler (total timeout -> retry -> fleet breaker -> attempt timeout).</summary>
public sealed class FleetHttpResilienceOptions
{
    /// <summary>The whole call including retries and their waits (default 30 s).</summary>
    public TimeSpan TotalRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>One attempt (default 10 s); a timed-out attempt counts as a breaker failure.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Cool-down after a 429 without a Retry-After header (default 1 s).</summary>
    public TimeSpan DefaultThrottleCooldown { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest cool-down a provider's Retry-After may impose on the fleet (default 5 min).</summary>
    public TimeSpan MaxThrottleCooldown { get; set; } = TimeSpan.FromMinutes(5);

    internal void Validate(string clientName)
    {
        if (AttemptTimeout <= TimeSpan.Zero || TotalRequestTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"HttpClient '{clientName}': the fleet resilience timeouts must be positive (AttemptTimeout {AttemptTimeout}, TotalRequestTimeout {TotalRequestTimeout}).");
        }

        if (AttemptTimeout > TotalRequestTimeout)
        {
            throw new InvalidOperationException($"HttpClient '{clientName}': AttemptTimeout ({AttemptTimeout}) must not exceed TotalRequestTimeout ({TotalRequestTimeout}).");
        }

        if (DefaultThrottleCooldown < TimeSpan.Zero || MaxThrottleCooldown < DefaultThrottleCooldown)
        {
            throw new InvalidOperationException($"HttpClient '{clientName}': DefaultThrottleCooldown ({DefaultThrottleCooldown}) must be between 0 and MaxThrottleCooldown ({MaxThrottleCooldown}).");
        }
    }
}
