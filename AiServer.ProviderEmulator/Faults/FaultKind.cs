namespace AiServer.ProviderEmulator.Faults;

/// <summary>What an injected fault does to a matching request.</summary>
internal enum FaultKind
{
    /// <summary>Answer with <c>statusCode</c> in the provider's error format.</summary>
    Error,

    /// <summary>Delay by <c>latencyMs</c>, then let the provider answer normally.</summary>
    Latency,

    /// <summary>Never answer; hold the request until the client gives up (bounded by <c>Emulator:MaxHang</c>).</summary>
    Hang,

    /// <summary>Abort the connection without a response.</summary>
    Reset,

    /// <summary>The provider's 429 with its rate-limit headers and <c>Retry-After</c>.</summary>
    RateLimit,
}
