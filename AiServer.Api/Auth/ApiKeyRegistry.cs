using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace AiServer.Api.Auth;

/// <summary>
/// Recognises the configured API keys from <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-API-Key</c>. Only SHA-256
/// hashes are kept and compared (in fixed time), so plain and hashed entries behave alike and no key stays in memory.
/// </summary>
internal sealed class ApiKeyRegistry
{
    public const string HashPrefix = "sha256:";

    private readonly byte[][] _hashes;

    public ApiKeyRegistry(IOptions<ApiKeyOptions> options)
    {
        _hashes = [.. options.Value.ApiKeys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(HashOfEntry)];
    }

    public bool AnyConfigured => _hashes.Length > 0;

    /// <summary>The key a request presents, or null.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers.Authorization.ToString() is { Length: > 7 } authorization && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization[7..].Trim();
        }

        return request.Headers["X-API-Key"].ToString() is { Length: > 0 } key ? key.Trim() : null;
    }

    /// <summary>The id of a key: <c>key_</c> + the first 16 hex digits of its SHA-256.</summary>
    public static string IdOf(byte[] hash) => "key_" + Convert.ToHexStringLower(hash)[..16];

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>
    /// The SHA-256 of the key the request presents (null: none, or longer than any key), computed once per request:
    /// the rate limiter partitions by it and <see cref="Authenticate"/> compares it.
    /// </summary>
    public static byte[]? PresentedHash(HttpContext http)
    {
        if (http.Items.TryGetValue(typeof(ApiKeyRegistry), out var cached))
        {
            return (byte[]?)cached;
        }

        var presented = PresentedKey(http.Request);
        var hash = string.IsNullOrEmpty(presented) || presented.Length > 512 ? null : Hash(presented);
        http.Items[typeof(ApiKeyRegistry)] = hash;
        return hash;
    }

    /// <summary>The client of the request's key, or null when it presents none or an unknown one.</summary>
    public ApiClient? Authenticate(HttpContext http)
    {
        if (PresentedHash(http) is not { } hash)
        {
            return null;
        }

        var match = false;
        foreach (var known in _hashes)
        {
            match |= CryptographicOperations.FixedTimeEquals(hash, known);
        }

        return match ? new ApiClient(IdOf(hash)) : null;
    }

    internal static byte[] HashOfEntry(string entry) =>
        entry.StartsWith(HashPrefix, StringComparison.Ordinal) ? Convert.FromHexString(entry[HashPrefix.Length..]) : Hash(entry);
}
