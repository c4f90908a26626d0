using System.Text.RegularExpressions;

namespace AiServer.ProviderEmulator.Faults;

/// <summary>An active fault. Mutable counters are guarded by <see cref="FaultStore"/>'s lock.</summary>
internal sealed class FaultRule
{
    public required string Id { get; init; }

    public required string Provider { get; init; }

    public required string Path { get; init; }

    public string? Method { get; init; }

    public required FaultKind Kind { get; init; }

    public double Rate { get; init; } = 1;

    public int StatusCode { get; init; } = 500;

    public TimeSpan Latency { get; init; }

    public TimeSpan? RetryAfter { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public int? Count { get; init; }

    public required Regex PathRegex { get; init; }

    public long Matched { get; set; }

    public long Applied { get; set; }

    /// <summary>The kind as the control API spells it (<c>rateLimit</c>, <c>error</c>, ...).</summary>
    public string KindName => Kind == FaultKind.RateLimit ? "rateLimit" : Kind.ToString().ToLowerInvariant();

    public bool IsExpired(DateTimeOffset now) => (ExpiresAt is { } at && now >= at) || (Count is { } n && Applied >= n);

    public bool Matches(string provider, string method, string path) =>
        (Provider == "*" || string.Equals(Provider, provider, StringComparison.OrdinalIgnoreCase))
        && (Method is null || string.Equals(Method, method, StringComparison.OrdinalIgnoreCase))
        && PathRegex.IsMatch(path);

    public object ToView() => new
    {
        id = Id,
        provider = Provider,
        path = Path,
        method = Method,
        kind = KindName,
        rate = Rate,
        statusCode = Kind == FaultKind.Error ? StatusCode : (int?)null,
        latencyMs = (long)Latency.TotalMilliseconds,
        retryAfterSeconds = RetryAfter is { } r ? (int?)r.TotalSeconds : null,
        createdAt = CreatedAt,
        expiresAt = ExpiresAt,
        count = Count,
        matched = Matched,
        applied = Applied,
    };
}
