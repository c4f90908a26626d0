namespace AiServer.ServiceDefaults.Redis;

/// <summary>What the start-up connect needs to know about the configured client.</summary>
internal sealed record RedisClientStartup(string EndPoint, TimeSpan StartupWait);
