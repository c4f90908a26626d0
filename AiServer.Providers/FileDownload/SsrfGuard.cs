using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace AiServer.Providers.FileDownload;

/// <summary>
/// Server-side request forgery guard: resolves a host and refuses loopback, link-local, private (RFC 1918, CGNAT,
/// unique-local), multicast, broadcast and unspecified addresses unless the host (and port, when the entry names
/// one) is in <see cref="FileDownloadOptions.AllowedHosts"/>. <see cref="ConnectAsync"/> is the download handler's
/// <c>ConnectCallback</c>: it connects to the very address it checked, so a DNS answer that changes between the check
/// and the connection (rebinding) cannot reach a forbidden address.
/// </summary>
internal sealed class SsrfGuard(IOptionsMonitor<FileDownloadOptions> options)
{
    /// <summary>Where <see cref="SsrfCheckHandler"/> leaves the addresses it checked for the connect callback.</summary>
    internal static readonly HttpRequestOptionsKey<Vetted> VettedKey = new("AiServer.FileDownload.Vetted");

    /// <summary>The name resolver (a seam for tests that play DNS answers; the system resolver otherwise).</summary>
    internal Func<string, CancellationToken, Task<IPAddress[]>> Resolver { get; set; } = Dns.GetHostAddressesAsync;

    /// <summary>Resolves <paramref name="host"/> and returns its addresses, or throws <see cref="SsrfRefusedException"/> when any of them is forbidden.</summary>
    /// <param name="host">The host as it appears in the URL (IPv6 literals may keep their brackets).</param>
    /// <param name="port">The port the request goes to.</param>
    /// <param name="cancellationToken">Cancels the resolution.</param>
    public async Task<IPAddress[]> ResolveAllowedAsync(string host, int port, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var bare = Bare(host);
        IPAddress[] addresses;
        if (IPAddress.TryParse(bare, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Resolver(bare, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw new SsrfRefusedException(FileDownloadErrors.NameNotResolved, $"The host '{bare}' could not be resolved ({ex.SocketErrorCode}).", ex);
            }
        }

        if (addresses.Length == 0)
        {
            throw new SsrfRefusedException(FileDownloadErrors.NameNotResolved, $"The host '{bare}' has no addresses.");
        }

        Check(bare, port, addresses);
        return addresses;
    }

    /// <summary>
    /// The <c>SocketsHttpHandler.ConnectCallback</c>: connects to the addresses <see cref="SsrfCheckHandler"/> checked
    /// for this request (no second DNS answer, so no rebinding); without them it resolves and checks itself. A refusal
    /// here surfaces as an <see cref="HttpRequestException"/> inside the resilience pipeline, which counts it, so the
    /// handler's check is the one meant to refuse.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = Bare(context.DnsEndPoint.Host);
        var port = context.DnsEndPoint.Port;
        IPAddress[] addresses;
        if (context.InitialRequestMessage.Options.TryGetValue(VettedKey, out var vetted)
            && vetted.Port == port
            && string.Equals(vetted.Host, host, StringComparison.OrdinalIgnoreCase))
        {
            // Checked a moment ago by the handler; re-checked without DNS in case the allow-list changed since.
            addresses = vetted.Addresses;
            Check(host, port, addresses);
        }
        else
        {
            addresses = await ResolveAllowedAsync(host, port, cancellationToken).ConfigureAwait(false);
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                last = ex;
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostUnreachable);
    }

    internal static string Bare(string host) => host.Trim('[', ']');

    private void Check(string bare, int port, IPAddress[] addresses)
    {
        if (IsAllowedHost(bare, port))
        {
            return;
        }

        foreach (var address in addresses)
        {
            if (IsForbidden(address))
            {
                throw new SsrfRefusedException(FileDownloadErrors.AddressRefused, $"The host '{bare}' resolves to {address}, a loopback, link-local, private, multicast or unspecified address.");
            }
        }
    }

    /// <summary>
    /// True when an <see cref="FileDownloadOptions.AllowedHosts"/> entry names <paramref name="host"/> and either has no
    /// port or exactly <paramref name="port"/>. IP literals compare as addresses (<c>::1</c> = <c>0:0::1</c>).
    /// </summary>
    public bool IsAllowedHost(string host, int port)
    {
        var bare = Bare(host);
        var literal = IPAddress.TryParse(bare, out var parsed) ? parsed : null;
        foreach (var entry in options.CurrentValue.AllowedHosts)
        {
            if (!FileDownloadOptions.TryParseAllowedHost(entry, out var allowedHost, out var allowedPort) || (allowedPort is { } p && p != port))
            {
                continue;
            }

            if (literal is not null && IPAddress.TryParse(allowedHost, out var allowedAddress)
                ? literal.Equals(allowedAddress)
                : string.Equals(allowedHost, bare, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A host's addresses as <see cref="SsrfCheckHandler"/> checked them for one request.</summary>
    internal sealed record Vetted(string Host, int Port, IPAddress[] Addresses);

    /// <summary>
    /// True for addresses a download must never reach. IPv6 forms that carry an IPv4 address (mapped <c>::ffff:0:0/96</c>,
    /// compatible <c>::/96</c>, NAT64 <c>64:ff9b::/96</c>, 6to4 <c>2002::/16</c>) are judged by that IPv4 address, and
    /// IPv6 is compared by its bytes, so a scope id (<c>::1%1</c>) changes nothing.
    /// </summary>
    public static bool IsForbidden(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return IsForbiddenV4(address.GetAddressBytes());
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return true;
        }

        var b = address.GetAddressBytes(); // 16 bytes; the scope id is not part of them
        if (EmbeddedIPv4(b) is { } v4)
        {
            return IsForbiddenV4(v4);
        }

        return b.AsSpan(0, 15).IndexOfAnyExcept((byte)0) < 0 // :: and ::1
            || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) // link-local fe80::/10
            || (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) // site-local fec0::/10 (deprecated)
            || b[0] == 0xFF // multicast
            || (b[0] & 0xFE) == 0xFC // unique local fc00::/7
            || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) // Teredo 2001::/32
            || (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4] == 0x00 && b[5] == 0x01); // local-use NAT64 64:ff9b:1::/48
    }

    /// <summary>The IPv4 address an IPv6 address carries, or null.</summary>
    private static byte[]? EmbeddedIPv4(byte[] b)
    {
        var firstTen = b.AsSpan(0, 10).IndexOfAnyExcept((byte)0) < 0;
        if (firstTen && b[10] == 0xFF && b[11] == 0xFF)
        {
            return b[12..16]; // IPv4-mapped ::ffff:a.b.c.d
        }

        if (firstTen && b[10] == 0 && b[11] == 0 && b.AsSpan(12, 3).IndexOfAnyExcept((byte)0) >= 0)
        {
            return b[12..16]; // IPv4-compatible ::a.b.c.d (not :: or ::1, judged as IPv6 above)
        }

        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
        {
            return b[12..16]; // NAT64 well-known prefix 64:ff9b::/96
        }

        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return b[2..6]; // 6to4 2002:AABB:CCDD::/48
        }

        return null;
    }

    private static bool IsForbiddenV4(byte[] b) =>
        b[0] == 0 // "this network"
        || b[0] == 10 // private
        || b[0] == 127 // loopback
        || (b[0] == 100 && b[1] >= 64 && b[1] <= 127) // carrier-grade NAT
        || (b[0] == 169 && b[1] == 254) // link-local (cloud metadata)
        || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) // private
        || (b[0] == 192 && b[1] == 168) // private
        || (b[0] == 192 && b[1] == 0 && b[2] == 0) // IETF protocol assignments
        || (b[0] == 198 && (b[1] == 18 || b[1] == 19)) // benchmarking
        || b[0] >= 224; // multicast, reserved and broadcast
}
