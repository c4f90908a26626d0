using System.Net;
using System.Net.Sockets;

namespace AiServer.Tests.Infrastructure;

/// <summary>A free loopback TCP port for a process the test starts itself.</summary>
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
