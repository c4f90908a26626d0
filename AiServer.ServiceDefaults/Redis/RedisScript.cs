using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// A Lua script run with <c>EVALSHA</c>; the client loads it with <c>SCRIPT LOAD</c> when Redis answers <c>NOSCRIPT</c>
/// (after a restart or <c>SCRIPT FLUSH</c>) and retries, transparently. Keep scripts as embedded <c>.lua</c> resources
/// and create one static instance per script with <see cref="FromResource"/>.
/// </summary>
public sealed class RedisScript
{
    /// <summary>Creates a script from its Lua source.</summary>
    /// <param name="source">The Lua source.</param>
    public RedisScript(string source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        Source = source;
        // SHA-1 is what Redis uses to name scripts; it is an identifier here, not a security measure.
#pragma warning disable CA5350
        Sha1 = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(source)));
#pragma warning restore CA5350
    }

    /// <summary>The Lua source.</summary>
    public string Source { get; }

    /// <summary>The lower-case hex SHA-1 Redis knows the script by.</summary>
    public string Sha1 { get; }

    /// <summary>
    /// Loads a script embedded in <paramref name="assembly"/> (<c>&lt;EmbeddedResource Include="**/*.lua" /&gt;</c>).
    /// <paramref name="name"/> is the manifest name or its end, e.g. <c>breaker_transition.lua</c>.
    /// </summary>
    /// <param name="assembly">The assembly holding the resource.</param>
    /// <param name="name">The resource's manifest name, or a unique suffix of it.</param>
    /// <returns>The script.</returns>
    public static RedisScript FromResource(Assembly assembly, string name)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string[] names = assembly.GetManifestResourceNames();
        string[] matches = names.Contains(name, StringComparer.Ordinal)
            ? [name]
            : names.Where(n => n.EndsWith("." + name, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (matches.Length != 1)
        {
            string problem = matches.Length == 0 ? "is not embedded" : $"is ambiguous ({string.Join(", ", matches)})";
            throw new InvalidOperationException(
                $"The Lua script resource '{name}' {problem} in {assembly.GetName().Name}; embedded: {(names.Length == 0 ? "none" : string.Join(", ", names))}.");
        }

        using Stream stream = assembly.GetManifestResourceStream(matches[0])!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return new RedisScript(reader.ReadToEnd());
    }

    /// <summary>The script's SHA-1 (the source can be long).</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"RedisScript {Sha1}";
}
