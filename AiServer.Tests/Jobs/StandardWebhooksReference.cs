using System.Security.Cryptography;
using System.Text;

namespace AiServer.Tests.Jobs;

/// <summary>
/// The tests' own Standard Webhooks implementation, written from the specification (standardwebhooks.com) and not
/// shared with the server: signing for forged and genuine provider webhooks, verifying AiServer's client webhooks.
/// </summary>
internal static class StandardWebhooksReference
{
    public static string Sign(string secret, string id, long timestamp, byte[] body)
    {
        var key = Convert.FromBase64String(secret.Replace("whsec_", string.Empty, StringComparison.Ordinal));
        var signed = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray();
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }

    /// <summary>True when one of the space-separated <c>v1,</c> signatures matches and the timestamp is within five minutes.</summary>
    public static bool Verify(string secret, string id, string timestamp, byte[] body, string signatures, DateTimeOffset now)
    {
        if (!long.TryParse(timestamp, System.Globalization.CultureInfo.InvariantCulture, out var seconds) || Math.Abs(now.ToUnixTimeSeconds() - seconds) > 300)
        {
            return false;
        }

        var expected = Sign(secret, id, seconds, body);
        return signatures.Split(' ').Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), Encoding.ASCII.GetBytes(expected)));
    }
}
