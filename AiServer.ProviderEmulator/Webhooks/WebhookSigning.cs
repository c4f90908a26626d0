using System.Security.Cryptography;
using System.Text;

namespace AiServer.ProviderEmulator.Webhooks;

/// <summary>Signature schemes of the providers' webhooks.</summary>
internal static class WebhookSigning
{
    /// <summary>
    /// Standard Webhooks (Replicate): <c>v1,base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))</c>, key = base64 part after <c>whsec_</c>.
    /// </summary>
    public static string StandardWebhooks(string secret, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret["whsec_".Length..] : secret);
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>Lower-case hex HMAC-SHA256 of <paramref name="content"/> with a UTF-8 secret (BFL, Sync).</summary>
    public static string HexHmac(string secret, ReadOnlySpan<byte> content) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), content));

    /// <summary>Stripe-like <c>t={unix},v1={hex(HMAC(secret, "{t}.{body}"))}</c> (our choice for Sync; its real format is unverified).</summary>
    public static string TimestampedHex(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return $"t={timestamp},v1={HexHmac(secret, content)}";
    }
}
