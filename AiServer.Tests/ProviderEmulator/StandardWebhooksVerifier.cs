using System.Security.Cryptography;
using System.Text;

namespace AiServer.Tests.ProviderEmulator;

/// <summary>
/// An independent Standard Webhooks verifier written from the spec (not shared with the emulator), so a mistake in
/// the emulator's signer cannot hide behind the same mistake here.
/// </summary>
internal static class StandardWebhooksVerifier
{
    public static bool Verify(string secret, string id, string timestamp, byte[] body, string signatureHeader)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes(id + "." + timestamp + ".").Concat(body).ToArray();
        var expected = HMACSHA256.HashData(key, signed);
        foreach (var candidate in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = candidate.Split(',', 2);
            if (parts.Length == 2 && parts[0] == "v1")
            {
                byte[] given;
                try
                {
                    given = Convert.FromBase64String(parts[1]);
                }
                catch (FormatException)
                {
                    continue;
                }

                if (CryptographicOperations.FixedTimeEquals(given, expected))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
