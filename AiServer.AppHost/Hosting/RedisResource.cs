using System.Globalization;

namespace AiServer.AppHost.Hosting;

/// <summary>
/// Redis: a local <c>redis-server</c> on a free port with a data folder and append-only file, or an existing Redis
/// when <c>ConnectionStrings:{name}</c> is configured for the AppHost.
/// </summary>
public sealed class RedisResource(string name) : ExecutableResource(name), IResourceWithConnectionString
{
    /// <summary>A Redis given in configuration; nothing is started then.</summary>
    public string? ExternalConnectionString { get; internal set; }

    /// <summary>The port of the local server (kept across restarts).</summary>
    public int Port { get; internal set; }

    /// <summary>The generated password of the local server.</summary>
    public string Password { get; internal set; } = string.Empty;

    /// <summary>The data folder of the local server.</summary>
    public string DataDirectory { get; internal set; } = string.Empty;

    /// <inheritdoc />
    public string? ConnectionString => ExternalConnectionString
        ?? (Port == 0 ? null : $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)},password={Password}");

    /// <inheritdoc />
    public IEnumerable<KeyValuePair<string, string>> GetReferenceEnvironment()
    {
        var connectionString = ConnectionString ?? throw new InvalidOperationException($"Redis resource '{Name}' has no endpoint yet.");
        var (host, port, password) = Split(connectionString);
        yield return new("REDIS_HOST", host);
        yield return new("REDIS_PORT", port);
        if (password.Length > 0)
        {
            yield return new("REDIS_PASSWORD", password);
        }

        yield return new("REDIS_URI", password.Length > 0 ? $"redis://:{Uri.EscapeDataString(password)}@{host}:{port}" : $"redis://{host}:{port}");
    }

    internal static (string Host, string Port, string Password) Split(string connectionString)
    {
        var parts = connectionString.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var endpoint = parts.Length > 0 ? parts[0] : "localhost:6379";
        var colon = endpoint.LastIndexOf(':');
        var host = colon > 0 ? endpoint[..colon] : endpoint;
        var port = colon > 0 ? endpoint[(colon + 1)..] : "6379";
        var password = parts.Skip(1)
            .Select(p => p.Split('=', 2))
            .Where(kv => kv.Length == 2 && kv[0].Equals("password", StringComparison.OrdinalIgnoreCase))
            .Select(kv => kv[1])
            .FirstOrDefault() ?? string.Empty;
        return (host, port, password);
    }
}
