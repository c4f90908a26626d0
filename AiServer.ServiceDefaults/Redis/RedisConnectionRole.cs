namespace AiServer.ServiceDefaults.Redis;

/// <summary>What a physical connection is used for (logs and client names).</summary>
internal enum RedisConnectionRole
{
    Commands,
    Subscriber,
    Blocking,
}
