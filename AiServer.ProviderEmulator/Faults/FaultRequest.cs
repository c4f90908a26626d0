namespace AiServer.ProviderEmulator.Faults;

/// <summary>Body of <c>POST /_emulator/faults</c>.</summary>
internal sealed class FaultRequest
{
    /// <summary>Provider path prefix (<c>replicate</c>, <c>files</c>, ...) or <c>*</c>.</summary>
    public string? Provider { get; set; }

    /// <summary>Glob on the path after the provider prefix (<c>/v1/predictions*</c>); <c>*</c> matches any characters including <c>/</c>. Default: everything.</summary>
    public string? Path { get; set; }

    /// <summary>HTTP method to match; default any.</summary>
    public string? Method { get; set; }

    /// <summary><c>error</c>, <c>latency</c>, <c>hang</c>, <c>reset</c> or <c>rateLimit</c>.</summary>
    public string? Kind { get; set; }

    /// <summary>Fraction of matching requests affected, 0..1 (default 1). Spread deterministically: 0.5 hits every second request.</summary>
    public double? Rate { get; set; }

    /// <summary>Status for <c>error</c> (default 500).</summary>
    public int? StatusCode { get; set; }

    /// <summary>Delay before the fault acts (for <c>latency</c> the whole effect).</summary>
    public int? LatencyMs { get; set; }

    /// <summary><c>Retry-After</c> seconds for <c>rateLimit</c> (default 1).</summary>
    public int? RetryAfterSeconds { get; set; }

    /// <summary><c>rateLimit</c> without a <c>Retry-After</c> header.</summary>
    public bool? OmitRetryAfter { get; set; }

    /// <summary>The fault expires this long after it was added.</summary>
    public double? DurationSeconds { get; set; }

    /// <summary>The fault expires after affecting this many requests.</summary>
    public int? Count { get; set; }
}
