namespace AiServer.ProviderEmulator.Webhooks;

/// <summary>What happened to a webhook, as <c>GET /_emulator/webhooks</c> reports it.</summary>
internal sealed record WebhookAttempt(string Provider, string Url, DateTimeOffset At, int Attempts, int? StatusCode, string Outcome);
