using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace AiServer.Providers.FileDownload;

/// <summary>
/// Server-side request forgery guard: resolves a host and refuses loopback, link-local, private (RFC 1918, CGNAT,
/// unique-local), multicast, broadcast and unspecified addresses unless the host is in
/// <see cref="FileDownloadOptions.AllowedHosts"/>. <see cref="ConnectAsync"/> is the download handler's
/// <c>ConnectCallback</c>: it connects to the very address it checked, so a DNS answer that changes between the check
/// and the connection (rebinding) cannot reach a forbidden address.
/// </summary>
internal sealed class SsrfGuard(IOptionsMonitor<FileDownloadOptions> options)
{
    /// <summary>Resolves <paramref name="host"/> and returns its addresses, or throws when any of them is forbidden.</summary>
    public async Task<IPAddress[]> ResolveAllowedAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var bare = host.Trim('[', ']');
        IPAddress[] addresses;
        if (IPAddress.TryParse(bare, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(bare, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw new ProviderException(ProviderNames.FileDownload, "resolve", null, FileDownloadErrors.NameNotResolved, $"The host '{bare}' could not be resolved ({ex.SocketErrorCode}).", ex);
            }
        }

        if (addresses.Length == 0)
        {
            throw new ProviderException(ProviderNames.FileDownload, "resolve", null, FileDownloadErrors.NameNotResolved, $"The host '{bare}' has no addresses.");
        }

        if (IsAllowedHost(host))
        {
            return addresses;
        }

        foreach (var address in addresses)
        {
            if (IsForbidden(address))
            {
                throw new ProviderException(ProviderNames.FileDownload, "ssrf-check", null, FileDownloadErrors.AddressRefused, $"The host '{bare}' resolves to {address}, a loopback, link-local, private, multicast or unspecified address.");
            }
        }

        return addresses;
    }

    /// <summary>The <c>SocketsHttpHandler.ConnectCallback</c>: check, then connect to a checked address.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var addresses = await ResolveAllowedAsync(context.DnsEndPoint.Host, cancellationToken).ConfigureAwait(false);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
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

    public bool IsAllowedHost(string host)
    {
        var bare = host.Trim('[', ']');
        return options.CurrentValue.AllowedHosts.Any(h => string.Equals(h.Trim('[', ']'), bare, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>True for addresses a download must never reach.</summary>
    public static bool IsForbidden(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast) || address.Equals(IPAddress.IPv6None))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 0 // "this network"
                || b[0] == 10 // private
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127) // carrier-grade NAT
                || (b[0] == 169 && b[1] == 254) // link-local (cloud metadata)
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) // private
                || (b[0] == 192 && b[1] == 168) // private
                || (b[0] == 192 && b[1] == 0 && b[2] == 0) // IETF protocol assignments
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19)) // benchmarking
                || b[0] >= 224; // multicast and reserved
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return address.IsIPv6LinkLocal
                || address.IsIPv6SiteLocal
                || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC // unique local fc00::/7
                || address.IsIPv6Teredo;
        }

        return true;
    }
}
