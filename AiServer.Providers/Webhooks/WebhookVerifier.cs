using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AiServer.Providers.Webhooks;

/// <summary>
/// Verifies provider webhook signatures over the raw body, in constant time, with a timestamp tolerance against
/// replays: Replicate's Standard Webhooks (<c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature</c>),
/// Sync's <c>Sync-Signature: t=…,v1=hex</c> and BFL's <c>X-BFL-Signature: sha256=hex</c> (the last two formats are not
/// confirmed by the providers; see docs/providers.md).
/// </summary>
internal static class WebhookVerifier
{
    /// <summary>The default replay window (Standard Webhooks recommends 5 minutes).</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private static readonly long MinUnixSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>
    /// Standard Webhooks: <c>v1,base64(HMAC-SHA256(base64decode(secret after whsec_), "{id}.{timestamp}.{body}"))</c>;
    /// the header may list several space-separated signatures (key rotation), one match suffices.
    /// </summary>
    public static bool VerifyStandardWebhook(string secret, string? id, string? timestamp, ReadOnlySpan<byte> body, string? signatureHeader, TimeProvider time, TimeSpan? tolerance = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(id) || string.IsNullOrEmpty(signatureHeader) || !FreshTimestamp(timestamp, time, tolerance))
        {
            return false;
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret["whsec_".Length..] : secret);
        }
        catch (FormatException)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(key, Concat(Encoding.UTF8.GetBytes($"{id}.{timestamp}."), body));
        foreach (var candidate in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var comma = candidate.IndexOf(',', StringComparison.Ordinal);
            if (comma <= 0 || candidate[..comma] != "v1")
            {
                continue;
            }

            var given = new byte[32];
            if (Convert.TryFromBase64String(candidate[(comma + 1)..], given, out var written) && written == 32 && CryptographicOperations.FixedTimeEquals(given, expected))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sync: <c>t={unix},v1={hex(HMAC-SHA256(secret, "{t}.{body}"))}</c>.</summary>
    public static bool VerifySync(string secret, ReadOnlySpan<byte> body, string? signatureHeader, TimeProvider time, TimeSpan? tolerance = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(signatureHeader))
        {
            return false;
        }

        string? timestamp = null;
        var signatures = new List<string>();
        foreach (var part in signatureHeader.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var (name, value) = (part[..eq], part[(eq + 1)..]);
            if (name == "t")
            {
                timestamp = value;
            }
            else if (name == "v1")
            {
                signatures.Add(value);
            }
        }

        if (!FreshTimestamp(timestamp, time, tolerance))
        {
            return false;
        }

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Concat(Encoding.UTF8.GetBytes(timestamp + "."), body));
        return signatures.Any(s => HexEquals(s, expected));
    }

    /// <summary>BFL: <c>sha256={hex(HMAC-SHA256(secret, body))}</c> (a bare hex value is accepted too).</summary>
    public static bool VerifyBfl(string secret, ReadOnlySpan<byte> body, string? signatureHeader)
    {
        if (string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(signatureHeader))
        {
            return false;
        }

        var hex = signatureHeader.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase) ? signatureHeader["sha256=".Length..] : signatureHeader;
        return HexEquals(hex.Trim(), HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
    }

    private static bool FreshTimestamp(string? timestamp, TimeProvider time, TimeSpan? tolerance)
    {
        // Out of DateTimeOffset's range (e.g. 99999999999999) FromUnixTimeSeconds throws: such a header is simply not fresh.
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds < MinUnixSeconds || seconds > MaxUnixSeconds)
        {
            return false;
        }

        var age = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        return age.Duration() <= (tolerance ?? DefaultTolerance);
    }

    private static bool HexEquals(string hex, byte[] expected)
    {
        if (hex.Length != expected.Length * 2)
        {
            return false;
        }

        try
        {
            return CryptographicOperations.FixedTimeEquals(Convert.FromHexString(hex), expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static byte[] Concat(byte[] prefix, ReadOnlySpan<byte> body)
    {
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return content;
    }
}
