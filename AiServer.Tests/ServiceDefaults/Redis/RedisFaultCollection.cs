namespace AiServer.Tests.ServiceDefaults.Redis;

/// <summary>
/// The crash, freeze and restart tests run on their own, not beside the rest of the suite: their assertions are about
/// which failure each in-flight command sees, and a saturated machine shifts those timings (a failure seen once in
/// eight full-suite runs, never alone).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RedisFaultCollection
{
    public const string Name = "Redis faults";
}
