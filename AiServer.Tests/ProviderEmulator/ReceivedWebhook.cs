using System.Text;
using System.Text.Json.Nodes;

namespace AiServer.Tests.ProviderEmulator;

/// <summary>A webhook as it arrived at <see cref="WebhookListener"/>.</summary>
public sealed record ReceivedWebhook(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
}
