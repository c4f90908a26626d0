using System.Security.Cryptography;

namespace AiServer.ProviderEmulator.Infrastructure;

/// <summary>Identifiers shaped like each provider's.</summary>
internal static class Ids
{
    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>Replicate: 26 lower-case base32 characters (e.g. <c>vgcm4plb7tgzlyznry5d5jkgvu</c>).</summary>
    public static string Replicate() => RandomNumberGenerator.GetString(Base32, 26);

    /// <summary>ElevenLabs voice ids: 20 alphanumerics (e.g. <c>21m00Tcm4TlvDq8ikWAM</c>).</summary>
    public static string Voice() => RandomNumberGenerator.GetString(Alphanumeric, 20);

    /// <summary>64 hex digits, like a Replicate version id.</summary>
    public static string Hex64() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>Standard Webhooks message id.</summary>
    public static string WebhookMessage() => "msg_" + RandomNumberGenerator.GetString(Alphanumeric, 27);

    public static string Uuid() => Guid.NewGuid().ToString("D");
}
