using System.Security.Cryptography;
using System.Text;

namespace AiServer.Jobs.Webhooks;

/// <summary>Standard Webhooks signing: <c>v1,base64(HMAC-SHA256(base64decode(secret after whsec_), "{id}.{timestamp}.{body}"))</c>, one per secret, space-separated.</summary>
internal static class StandardWebhookSigner
{
    public static string Sign(IEnumerable<string> secrets, string id, long timestamp, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(body);
        var prefix = Encoding.UTF8.GetBytes(id + "." + timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content, prefix.Length);
        return string.Join(' ', secrets.Select(s =>
        {
            var key = Convert.FromBase64String(s.StartsWith("whsec_", StringComparison.Ordinal) ? s["whsec_".Length..] : s);
            return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
        }));
    }
}
