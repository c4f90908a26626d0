using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AiServer.Providers.FileDownload;

/// <summary>Downloads of user- or provider-supplied URLs (section <c>Providers:FileDownload</c>).</summary>
public sealed class FileDownloadOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Providers:FileDownload";

    /// <summary>The content types accepted when <see cref="AllowedContentTypes"/> is empty.</summary>
    public static readonly IReadOnlyList<string> DefaultContentTypes = ["image/*", "video/*", "audio/*", "application/zip", "application/octet-stream"];

    /// <summary>Largest download in bytes (default 500 MiB); a larger body is stopped at the limit.</summary>
    public long MaxBytes { get; set; } = 500L * 1024 * 1024;

    /// <summary>Accepted content types (<c>type/subtype</c> or <c>type/*</c>); empty: <see cref="DefaultContentTypes"/>.</summary>
    public List<string> AllowedContentTypes { get; set; } = [];

    /// <summary>
    /// Hosts (names or IP literals as they appear in URLs) that may resolve to loopback or private addresses. An entry
    /// <c>host:port</c> (IPv6 as <c>[::1]:8080</c>) allows only that port, e.g. the local emulator's
    /// <c>127.0.0.1:5100</c>; an entry without a port allows every port of the host (prefer a port: <c>127.0.0.1</c>
    /// alone also opens Redis and every other service on loopback). Empty by default: every such address is refused.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Redirects followed (each re-checked) before giving up (default 5).</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>The whole download, body included (default 5 min).</summary>
    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>One attempt up to the response headers (default 30 s).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The headers of one URL including retries (default 60 s).</summary>
    public TimeSpan TotalRequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    internal IReadOnlyList<string> EffectiveContentTypes => AllowedContentTypes.Count > 0 ? AllowedContentTypes : DefaultContentTypes;

    internal List<string> Validate(string section)
    {
        var errors = new List<string>();
        if (MaxBytes < 1)
        {
            errors.Add($"{section}:MaxBytes: must be positive, got {MaxBytes}.");
        }

        if (MaxRedirects is < 0 or > 20)
        {
            errors.Add($"{section}:MaxRedirects: must be between 0 and 20, got {MaxRedirects}.");
        }

        if (DownloadTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{section}:DownloadTimeout: must be positive, got {DownloadTimeout}.");
        }

        if (AttemptTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{section}:AttemptTimeout: must be positive, got {AttemptTimeout}.");
        }

        if (TotalRequestTimeout < AttemptTimeout)
        {
            errors.Add($"{section}:TotalRequestTimeout: must be at least AttemptTimeout ({AttemptTimeout}), got {TotalRequestTimeout}.");
        }

        foreach (var entry in AllowedHosts)
        {
            if (!TryParseAllowedHost(entry, out _, out _))
            {
                errors.Add($"{section}:AllowedHosts: '{entry}' is not a host or host:port (e.g. 127.0.0.1, 127.0.0.1:8080, [::1]:8080).");
            }
        }

        foreach (var type in AllowedContentTypes)
        {
            if (type.Split('/') is not [{ Length: > 0 }, { Length: > 0 }])
            {
                errors.Add($"{section}:AllowedContentTypes: '{type}' is not a media type such as image/png or image/*.");
            }
        }

        return errors;
    }

    /// <summary>Splits an <see cref="AllowedHosts"/> entry into its host (without brackets) and optional port.</summary>
    internal static bool TryParseAllowedHost(string? entry, out string host, out int? port)
    {
        host = string.Empty;
        port = null;
        var text = entry?.Trim() ?? string.Empty;
        if (text.Length == 0)
        {
            return false;
        }

        if (text[0] == '[')
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 2 || !IPAddress.TryParse(text[1..close], out _))
            {
                return false;
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            return rest.Length == 0 || (rest[0] == ':' && TryParsePort(rest[1..], out port));
        }

        if (IPAddress.TryParse(text, out var literal) && literal.AddressFamily == AddressFamily.InterNetworkV6)
        {
            host = text; // a bare IPv6 literal: every colon belongs to the address
            return true;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            host = text;
            return true;
        }

        host = text[..colon];
        return colon > 0 && text.IndexOf(':', colon + 1) < 0 && TryParsePort(text[(colon + 1)..], out port);
    }

    private static bool TryParsePort(string text, out int? port)
    {
        port = null;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= 65535)
        {
            port = value;
            return true;
        }

        return false;
    }
}
