using System.Net.Sockets;
using System.Text;

namespace AiServer.AppHost.Hosting;

/// <summary>
/// The AppHost's Redis health probe: AUTH (when a password is set) and PING over RESP. The AppHost does not reference
/// the services' Redis client; a probe needs two commands.
/// </summary>
internal static class RedisPing
{
    public static async Task<bool> PingAsync(string connectionString, CancellationToken cancellationToken)
    {
        var (host, portText, password) = RedisResource.Split(connectionString);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            using var client = new TcpClient();
            await client.ConnectAsync(host, int.Parse(portText, System.Globalization.CultureInfo.InvariantCulture), timeout.Token);
            var stream = client.GetStream();
            var command = new StringBuilder();
            if (password.Length > 0)
            {
                command.Append("*2\r\n$4\r\nAUTH\r\n$").Append(Encoding.UTF8.GetByteCount(password)).Append("\r\n").Append(password).Append("\r\n");
            }

            command.Append("*1\r\n$4\r\nPING\r\n");
            await stream.WriteAsync(Encoding.UTF8.GetBytes(command.ToString()), timeout.Token);
            var buffer = new byte[256];
            var received = new StringBuilder();
            while (!received.ToString().Contains("PONG", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    return false;
                }

                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
                if (received.ToString().StartsWith('-'))
                {
                    return false;
                }
            }

            return true;
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }
}
