using System.Text.Json;
using AiServer.Providers.Bfl;
using AiServer.Providers.Http;
using AiServer.Providers.Replicate;
using AiServer.Providers.SyncLabs;

namespace AiServer.Jobs.Execution;

/// <summary>Reads a provider webhook body as the state its status endpoint returns (the providers send the same object).</summary>
internal static class ProviderPushes
{
    public static ReplicateJob? Replicate(string body) => JsonSerializer.Deserialize<ReplicateJob>(body, ProviderJson.SnakeCase);

    public static SyncGeneration? SyncLabs(string body) => JsonSerializer.Deserialize<SyncGeneration>(body, ProviderJson.CamelCase);

    public static BflResult? Bfl(string body) => JsonSerializer.Deserialize<BflResult>(body, ProviderJson.SnakeCase);
}
