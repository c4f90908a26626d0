using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AiServer.Benchmarks.Redis;

/// <summary>A throw-away redis-server on a free loopback port (no persistence) for the benchmarks.</summary>
internal sealed class BenchmarkRedisServer : IDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private BenchmarkRedisServer(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        _directory = directory;
    }

    public int Port { get; }

    /// <summary>CPU time the server has used so far (user + system).</summary>
    public TimeSpan ProcessorTime => _process.TotalProcessorTime;

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static BenchmarkRedisServer Start()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        string directory = Directory.CreateTempSubdirectory("aiserver-bench-redis-").FullName;
        var info = new ProcessStartInfo("redis-server")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in (string[])["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--dir", directory, "--logfile", string.Empty])
        {
            info.ArgumentList.Add(arg);
        }

        Process process = Process.Start(info) ?? throw new InvalidOperationException("Could not start redis-server.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new BenchmarkRedisServer(process, port, directory);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            try
            {
                using var client = new TcpClient("127.0.0.1", port);
                NetworkStream stream = client.GetStream();
                stream.Write("PING\r\n"u8);
                byte[] buffer = new byte[16];
                int read = stream.Read(buffer);
                if (Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return server;
                }
            }
            catch (SocketException)
            {
                // Not listening yet.
            }

            Thread.Sleep(20);
        }

        server.Dispose();
        throw new TimeoutException($"redis-server on port {port} did not answer PING within 15 s.");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
