namespace AiServer.ProviderEmulator.Webhooks;

/// <summary>One webhook to POST: the exact body bytes that were signed and the headers carrying the signature.</summary>
internal sealed record WebhookDelivery(string Provider, Uri Url, byte[] Body, IReadOnlyDictionary<string, string> Headers);
