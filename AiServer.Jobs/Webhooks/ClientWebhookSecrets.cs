using System.Security.Cryptography;
using AiServer.Jobs.Store;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiServer.Jobs.Webhooks;

/// <summary>
/// The Standard Webhooks signing secret of each API key (<c>whsec_</c> + base64 of 32 random bytes), kept in Redis so
/// every api signs alike. Rotating makes a new one; the previous one still signs (a second <c>v1,</c> signature) for
/// <see cref="WebhooksOptions.SecretGracePeriod"/>, so receivers can switch without losing events.
/// </summary>
internal sealed class ClientWebhookSecrets(IConnectionMultiplexer redis, JobKeys keys, IOptionsMonitor<WebhooksOptions> options, TimeProvider time)
{
    /// <summary>The key's current secret, created on first use.</summary>
    public async Task<string> GetOrCreateAsync(string owner)
    {
        var db = redis.GetDatabase();
        var key = keys.WebhookSecret(owner);
        await db.HashSetAsync(key, "current", NewSecret(), When.NotExists).ConfigureAwait(false);
        return (string)(await db.HashGetAsync(key, "current").ConfigureAwait(false))!;
    }

    /// <summary>Replaces the secret; the old one keeps signing for the grace period. Returns the new one.</summary>
    public async Task<string> RotateAsync(string owner)
    {
        var db = redis.GetDatabase();
        var key = keys.WebhookSecret(owner);
        var old = await GetOrCreateAsync(owner).ConfigureAwait(false);
        var secret = NewSecret();
        var until = (time.GetUtcNow() + options.CurrentValue.SecretGracePeriod).ToUnixTimeMilliseconds();
        await db.HashSetAsync(key, [new("current", secret), new("previous", old), new("previous_until", until)]).ConfigureAwait(false);
        return secret;
    }

    /// <summary>The secrets that sign now: the current one, and the previous one within its grace period.</summary>
    public async Task<IReadOnlyList<string>> SigningSecretsAsync(string owner)
    {
        var current = await GetOrCreateAsync(owner).ConfigureAwait(false);
        var values = await redis.GetDatabase().HashGetAsync(keys.WebhookSecret(owner), ["previous", "previous_until"]).ConfigureAwait(false);
        return !values[0].IsNullOrEmpty && (long)values[1] > time.GetUtcNow().ToUnixTimeMilliseconds()
            ? [current, (string)values[0]!]
            : [current];
    }

    private static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
