using System.Net;
using System.Net.Sockets;

namespace AiServer.AppHost.Hosting;

/// <summary>Finds a free loopback TCP port by letting the OS pick one.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
