using System.Globalization;
using System.Text;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// The parsed Aspire/StackExchange.Redis-style connection string
/// <c>host:port[,password=...][,user=...][,ssl=true][,defaultDatabase=N][,connectTimeout=ms][,syncTimeout=ms][,name=...]</c>.
/// </summary>
internal sealed class RedisConnectionSettings
{
    public const int DefaultPort = 6379;

    // Options StackExchange.Redis accepts that do not change how this client behaves; accepted so that connection
    // strings written for StackExchange.Redis keep working.
    private static readonly HashSet<string> IgnoredOptions = new(StringComparer.OrdinalIgnoreCase)
    {
        "abortConnect", "allowAdmin", "connectRetry", "keepAlive", "resolveDns", "checkCertificateRevocation", "protocol",
    };

    private static readonly HashSet<string> KnownOptions = new(IgnoredOptions, StringComparer.OrdinalIgnoreCase)
    {
        "password", "user", "ssl", "defaultDatabase", "connectTimeout", "syncTimeout", "asyncTimeout", "name",
    };

    public required string Host { get; init; }

    public int Port { get; init; } = DefaultPort;

    public string? User { get; init; }

    public string? Password { get; init; }

    public bool Ssl { get; init; }

    public int DefaultDatabase { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public string? ClientName { get; init; }

    /// <summary>The configuration key the string came from, named in every message about it.</summary>
    public string ConfigurationKey { get; init; } = "ConnectionStrings:redis";

    public string EndPoint => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>Parses a connection string; <see cref="FormatException"/> says what is wrong and names the key.</summary>
    public static RedisConnectionSettings Parse(string? connectionString, string configurationKey = "ConnectionStrings:redis")
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new FormatException($"{configurationKey} is not set; expected 'host:port[,password=...][,ssl=true]'.");
        }

        string? host = null;
        int port = DefaultPort;
        string? user = null;
        string? password = null;
        bool ssl = false;
        int database = 0;
        TimeSpan connectTimeout = TimeSpan.FromSeconds(5);
        TimeSpan? syncTimeout = null;
        TimeSpan? asyncTimeout = null;
        string? name = null;

        string[] parts = connectionString.Split(',');
        // A password cannot contain ',': the rest of it would become parts of their own, which must not be quoted in a
        // message (messages get logged). So when there is a password, a bad part is named by its number only.
        bool hasPassword = parts.Any(p => p.Contains('=', StringComparison.Ordinal)
            && p[..p.IndexOf('=', StringComparison.Ordinal)].Trim().Equals("password", StringComparison.OrdinalIgnoreCase));
        for (int index = 0; index < parts.Length; index++)
        {
            string part = parts[index].Trim();
            if (part.Length == 0)
            {
                continue;
            }

            try
            {
                ParsePart(part);
            }
            catch (FormatException) when (hasPassword)
            {
                string option = part.Contains('=', StringComparison.Ordinal) ? part[..part.IndexOf('=', StringComparison.Ordinal)].Trim() : string.Empty;
                string named = KnownOptions.Contains(option) ? $" (option '{option}')" : string.Empty;
                throw new FormatException(
                    $"{configurationKey} part #{index + 1}{named} is invalid (parts are separated by ','). It is not shown because the string has a password, "
                    + "and a password that contains ',' (which is not supported) would be split into such parts.");
            }
        }

        if (host is null)
        {
            throw new FormatException($"{configurationKey} has no endpoint; expected 'host:port' as its first part.");
        }

        return new RedisConnectionSettings
        {
            Host = host,
            Port = port,
            User = user,
            Password = password,
            Ssl = ssl,
            DefaultDatabase = database,
            ConnectTimeout = connectTimeout,
            CommandTimeout = asyncTimeout ?? syncTimeout ?? TimeSpan.FromSeconds(5),
            ClientName = name,
            ConfigurationKey = configurationKey,
        };

        void ParsePart(string part)
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                if (host is not null)
                {
                    throw new FormatException($"{configurationKey} lists more than one endpoint ('{host}' and '{part}'); this client connects to a single Redis endpoint.");
                }

                (host, port) = ParseEndPoint(part, configurationKey);
                return;
            }

            string key = part[..equals].Trim();
            string value = part[(equals + 1)..].Trim();
            switch (key.ToLowerInvariant())
            {
                case "password":
                    password = value;
                    break;
                case "user":
                    user = value.Length == 0 ? null : value;
                    break;
                case "ssl":
                    ssl = ParseBool(key, value, configurationKey);
                    break;
                case "defaultdatabase":
                    database = ParseInt(key, value, 0, 15_999, configurationKey);
                    break;
                case "connecttimeout":
                    connectTimeout = TimeSpan.FromMilliseconds(ParseInt(key, value, 1, 600_000, configurationKey));
                    break;
                case "synctimeout":
                    syncTimeout = TimeSpan.FromMilliseconds(ParseInt(key, value, 1, 600_000, configurationKey));
                    break;
                case "asynctimeout":
                    asyncTimeout = TimeSpan.FromMilliseconds(ParseInt(key, value, 1, 600_000, configurationKey));
                    break;
                case "name":
                    name = value.Length == 0 ? null : value;
                    break;
                default:
                    if (!IgnoredOptions.Contains(key))
                    {
                        throw new FormatException($"{configurationKey} has an unknown option '{key}'; supported: password, user, ssl, defaultDatabase, connectTimeout, syncTimeout, asyncTimeout, name.");
                    }

                    break;
            }
        }
    }

    /// <summary>A CLIENT SETNAME-safe name (no spaces or newlines).</summary>
    public static string SanitizeClientName(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' ? c : '-');
        }

        return builder.Length == 0 ? "aiserver" : builder.ToString();
    }

    /// <summary>The settings without the password, for logs and messages.</summary>
    public override string ToString() =>
        $"{EndPoint} (ssl={Ssl}, defaultDatabase={DefaultDatabase}, password={(Password is null ? "none" : "set")})";

    private static (string Host, int Port) ParseEndPoint(string text, string configurationKey)
    {
        string host;
        string? portText = null;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"{configurationKey} has a malformed IPv6 endpoint '{text}'; expected '[address]:port'.");
            }

            host = text[1..close];
            if (close + 1 < text.Length)
            {
                if (text[close + 1] != ':')
                {
                    throw new FormatException($"{configurationKey} has a malformed endpoint '{text}'.");
                }

                portText = text[(close + 2)..];
            }
        }
        else
        {
            int colon = text.LastIndexOf(':');
            if (colon >= 0 && text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                throw new FormatException($"{configurationKey} has an IPv6 endpoint '{text}' without brackets; write '[address]:port'.");
            }

            host = colon < 0 ? text : text[..colon];
            portText = colon < 0 ? null : text[(colon + 1)..];
        }

        if (host.Length == 0 || host.Any(char.IsWhiteSpace))
        {
            throw new FormatException($"{configurationKey} has an invalid host in '{text}'.");
        }

        int port = DefaultPort;
        if (portText is not null
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            throw new FormatException($"{configurationKey} has an invalid port '{portText}' in '{text}'; expected 1-65535.");
        }

        return (host, port);
    }

    private static bool ParseBool(string key, string value, string configurationKey) =>
        bool.TryParse(value, out bool result)
            ? result
            : throw new FormatException($"{configurationKey} option '{key}' must be true or false, not '{value}'.");

    private static int ParseInt(string key, string value, int min, int max, string configurationKey) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int result) && result >= min && result <= max
            ? result
            : throw new FormatException($"{configurationKey} option '{key}' must be a whole number from {min} to {max}, not '{value}'.");
}
