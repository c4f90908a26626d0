namespace AiServer.Providers.Health;

/// <summary>
/// The claim script's answer: fresh result, lease taken, or lease held by <paramref name="Holder"/>; with Redis's
/// clock at the time (<paramref name="RedisNow"/>, Unix ms) and the shared result as it stood, fresh or not.
/// </summary>
internal sealed record SharedProbeClaim(SharedProbeClaimKind Kind, long RedisNow, string Holder, SharedProbeResult? Result);
