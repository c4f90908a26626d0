using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// One physical, pipelined RESP connection. Any number of callers write commands concurrently: each command is copied
/// into the output pipe under a short lock (together with its place in the reply queue) and a send loop pushes
/// whatever has accumulated to the socket in one write, so concurrent commands are batched. A receive loop parses
/// replies with System.IO.Pipelines and completes the queued commands in order. When the connection breaks, every
/// queued command fails at once with <see cref="RedisConnectionException"/> and the owner is told (to reconnect).
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private const int SegmentSize = 64 * 1024;

    // A connection on which the oldest command is overdue and nothing at all arrived for this long (at least twice
    // the command timeout) is treated as dead (half-open TCP, a host gone without a reset) and replaced.
    private static readonly TimeSpan MinimumSilenceBeforeDead = TimeSpan.FromSeconds(5);

    // A connection with no command in flight that received nothing for this long (at least the command timeout) sends
    // a PING, so that a dead idle connection has an overdue command and is detected like a busy one.
    private static readonly TimeSpan MinimumHeartbeat = TimeSpan.FromSeconds(1);

    private readonly RedisConnectionSettings _settings;
    private readonly RedisConnectionRole _role;
    private readonly RedisMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly Pipe _output;
    private readonly PipeReader _input;
    // One lock guards the pipe writer and the reply queue, so a command's bytes and its queue slot go in together;
    // the reader takes it once per read buffer (not per reply) to dequeue every reply it parsed.
    private readonly Lock _lock = new();
    private readonly Queue<PendingReply> _pending = new();
    private readonly List<ReadOnlySequence<byte>> _frames = [];
    private readonly List<PendingReply> _completing = [];
    private readonly Action<string, RedisValue>? _push;
    private readonly Action<RedisConnection, Exception, int>? _onFailed;
    private volatile Exception? _failure;
    private long _lastReceiveTimestamp;
    private int _inFlight;
    private readonly TimeSpan _silenceBeforeDead;
    private readonly TimeSpan _heartbeatAfter;
    private ITimer? _sweeper;
    private Task _sendLoop = Task.CompletedTask;
    private Task _receiveLoop = Task.CompletedTask;

    private RedisConnection(
        RedisConnectionSettings settings,
        RedisConnectionRole role,
        RedisMetrics metrics,
        Socket socket,
        Stream stream,
        Action<string, RedisValue>? push,
        Action<RedisConnection, Exception, int>? onFailed)
    {
        _settings = settings;
        _role = role;
        _metrics = metrics;
        _time = metrics.TimeProvider;
        _socket = socket;
        _stream = stream;
        _push = push;
        _onFailed = onFailed;
        _output = new Pipe(new PipeOptions(
            pauseWriterThreshold: 0,
            resumeWriterThreshold: 0,
            minimumSegmentSize: SegmentSize,
            readerScheduler: PipeScheduler.ThreadPool,
            writerScheduler: PipeScheduler.Inline,
            useSynchronizationContext: false));
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: SegmentSize, minimumReadSize: 8 * 1024, leaveOpen: true));
        _lastReceiveTimestamp = _time.GetTimestamp();
        TimeSpan twice = settings.CommandTimeout * 2;
        _silenceBeforeDead = twice > MinimumSilenceBeforeDead ? twice : MinimumSilenceBeforeDead;
        _heartbeatAfter = settings.CommandTimeout > MinimumHeartbeat ? settings.CommandTimeout : MinimumHeartbeat;
    }

    public string EndPoint => _settings.EndPoint;

    public RedisConnectionRole Role => _role;

    public bool IsAlive => _failure is null;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Opens, (optionally) secures and sets up a connection: AUTH, SELECT, CLIENT SETNAME, PING.</summary>
    public static async Task<RedisConnection> ConnectAsync(
        RedisConnectionSettings settings,
        RedisConnectionRole role,
        string clientName,
        RedisMetrics metrics,
        Action<string, RedisValue>? push,
        Action<RedisConnection, Exception, int>? onFailed,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        RedisConnection? connection = null;
        try
        {
            await socket.ConnectAsync(new DnsEndPoint(settings.Host, settings.Port), timeout.Token).ConfigureAwait(false);
            EnableKeepAlive(socket);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (settings.Ssl)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = settings.Host }, timeout.Token).ConfigureAwait(false);
            }

            connection = new RedisConnection(settings, role, metrics, socket, stream, push, onFailed);
            connection.Start();
            await connection.HandshakeAsync(clientName, timeout.Token).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex) when (ex is not RedisAuthenticationException)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                socket.Dispose();
            }

            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw ex switch
            {
                OperationCanceledException => new RedisConnectionException(
                    $"Timed out after {settings.ConnectTimeout.TotalMilliseconds:0} ms connecting to Redis at {settings.EndPoint} (connectTimeout in {settings.ConfigurationKey})."),
                SocketException socketError => new RedisConnectionException(
                    $"Could not connect to Redis at {settings.EndPoint} ({settings.ConfigurationKey}): {socketError.Message}.", ex),
                AuthenticationException => new RedisConnectionException(
                    $"The TLS handshake with Redis at {settings.EndPoint} failed (ssl=true in {settings.ConfigurationKey}): {ex.Message}", ex),
                RedisConnectionException => ex,
                RedisServerException server => new RedisConnectionException(
                    $"Redis at {settings.EndPoint} refused the connection set-up from {settings.ConfigurationKey}: {server.Message}", ex),
                _ => new RedisConnectionException($"Could not connect to Redis at {settings.EndPoint} ({settings.ConfigurationKey}): {ex.Message}", ex),
            };
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Sends a command with the connection's command timeout (<c>syncTimeout</c>).</summary>
    public ValueTask<T> SendAsync<T>(RedisCommand command, RespProcessor<T> processor, CancellationToken cancellationToken, params ReadOnlySpan<RedisValue> args) =>
        SendAsync(command, processor, _settings.CommandTimeout, cancellationToken, args);

    /// <summary>
    /// Writes the command into the pipe and queues its reply slot; returns at once. Never blocks on the network: the
    /// caller only holds the write lock while its bytes are copied.
    /// </summary>
    public ValueTask<T> SendAsync<T>(RedisCommand command, RespProcessor<T> processor, TimeSpan timeout, CancellationToken cancellationToken, params ReadOnlySpan<RedisValue> args)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<T>(cancellationToken);
        }

        long now = _time.GetTimestamp();
        long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : now + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
        PendingReply<T> reply = PendingReply<T>.Rent(command, processor, _metrics, now, deadline);
        short version = reply.Version;
        lock (_lock)
        {
            if (_failure is { } failure)
            {
                reply.ReturnUnused();
                _metrics.RecordCommand(command.Name, RedisMetrics.ConnectionError, now);
                return ValueTask.FromException<T>(new RedisConnectionException(
                    $"The connection to Redis at {EndPoint} is closed ({failure.Message}); the command {command.Name.ToUpperInvariant()} was not sent.", failure));
            }

            RespWriter.WriteCommand(_output.Writer, command, args);
            _pending.Enqueue(reply);
            _inFlight++;

            // The pipe never applies back-pressure (pauseWriterThreshold 0), so the flush completes synchronously:
            // it only wakes the send loop, which sends everything written so far in one go.
            ValueTask<FlushResult> flush = _output.Writer.FlushAsync(CancellationToken.None);
            if (flush.IsCompleted)
            {
                flush.GetAwaiter().GetResult();
            }
            else
            {
                _ = flush.AsTask();
            }
        }

        if (cancellationToken.CanBeCanceled)
        {
            reply.RegisterCancellation(cancellationToken);
        }

        return new ValueTask<T>(reply, version);
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new RedisConnectionException("The Redis client was disposed."));
        try
        {
            await Task.WhenAll(_sendLoop, _receiveLoop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // The loops already reported their failure through Fail.
        }
    }

    private void Start()
    {
        _sendLoop = Task.Run(SendLoopAsync);
        _receiveLoop = Task.Run(ReceiveLoopAsync);
        TimeSpan period = TimeSpan.FromTicks(Math.Clamp(_settings.CommandTimeout.Ticks / 10, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
        _sweeper = _time.CreateTimer(static state => ((RedisConnection)state!).Sweep(), this, period, period);
    }

    /// <summary>
    /// TCP keepalive probes after 15 s of silence, every 5 s, 3 times: a peer host that is gone (no reset) is noticed in
    /// about 30 s even by a connection that waits without a deadline (a blocking command with block time 0).
    /// </summary>
    private static void EnableKeepAlive(Socket socket)
    {
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 15);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 5);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
        }
        catch (Exception ex) when (ex is SocketException or PlatformNotSupportedException)
        {
            // The OS defaults stay (hours on Linux); the heartbeat PING still detects a dead idle connection.
        }
    }

    private async Task HandshakeAsync(string clientName, CancellationToken cancellationToken)
    {
        // Pipelined: all set-up commands go out in one write and their replies are checked in order.
        ValueTask<bool> auth = _settings.Password is null
            ? ValueTask.FromResult(true)
            : _settings.User is null
                ? SendAsync(RedisCommand.Auth, RespProcessors.Ignore, cancellationToken, _settings.Password)
                : SendAsync(RedisCommand.Auth, RespProcessors.Ignore, cancellationToken, _settings.User, _settings.Password);
        ValueTask<bool> select = _settings.DefaultDatabase == 0 || _role == RedisConnectionRole.Subscriber
            ? ValueTask.FromResult(true)
            : SendAsync(RedisCommand.Select, RespProcessors.Ignore, cancellationToken, _settings.DefaultDatabase);
        ValueTask<bool> name = SendAsync(RedisCommand.ClientSetName, RespProcessors.Ignore, cancellationToken, clientName);
        ValueTask<bool> ping = SendAsync(RedisCommand.Ping, RespProcessors.Ignore, cancellationToken);

        Exception? authError = await Capture(auth).ConfigureAwait(false);
        Exception? selectError = await Capture(select).ConfigureAwait(false);
        Exception? nameError = await Capture(name).ConfigureAwait(false);
        Exception? pingError = await Capture(ping).ConfigureAwait(false);

        if (authError is RedisServerException rejected && IsCredentialError(rejected))
        {
            throw new RedisAuthenticationException(
                $"Redis at {EndPoint} rejected the password (and user) in {_settings.ConfigurationKey}: {rejected.Message}", rejected);
        }

        foreach (Exception? error in new[] { authError, selectError, nameError, pingError })
        {
            if (error is RedisServerException { ErrorCode: "NOAUTH" } noAuth)
            {
                throw new RedisAuthenticationException(
                    $"Redis at {EndPoint} requires a password, but {_settings.ConfigurationKey} has none; add ',password=...'.", noAuth);
            }
        }

        Exception? first = authError ?? selectError ?? nameError ?? pingError;
        if (first is not null)
        {
            throw first;
        }

        // Only an answer about the credentials is final. Anything else in reply to AUTH is a refusal of the connection,
        // e.g. "ERR max number of clients reached", which Redis sends before closing a connection over maxclients: that
        // one is retried (a RedisConnectionException), or a reconnect storm would fail the host's start-up.
        static bool IsCredentialError(RedisServerException error) =>
            error.ErrorCode is "WRONGPASS" or "NOAUTH" or "NOPERM"
            || error.Message.Contains("invalid password", StringComparison.OrdinalIgnoreCase)
            || error.Message.Contains("invalid username-password", StringComparison.OrdinalIgnoreCase)
            || error.Message.Contains("no password is set", StringComparison.OrdinalIgnoreCase)
            || error.Message.Contains("without any password configured", StringComparison.OrdinalIgnoreCase);

        static async Task<Exception?> Capture(ValueTask<bool> task)
        {
            try
            {
                await task.ConfigureAwait(false);
                return null;
            }
            catch (Exception ex)
            {
                return ex;
            }
        }
    }

    private async Task SendLoopAsync()
    {
        PipeReader reader = _output.Reader;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                foreach (ReadOnlyMemory<byte> segment in buffer)
                {
                    await _stream.WriteAsync(segment).ConfigureAwait(false);
                }

                if (_settings.Ssl)
                {
                    await _stream.FlushAsync().ConfigureAwait(false);
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        Exception reason;
        try
        {
            while (true)
            {
                ReadResult result = await _input.ReadAsync().ConfigureAwait(false);
                Volatile.Write(ref _lastReceiveTimestamp, _time.GetTimestamp());
                ReadOnlySequence<byte> buffer = result.Buffer;
                SequencePosition consumed = ProcessReplies(buffer);
                _input.AdvanceTo(consumed, buffer.End);
                if (result.IsCompleted)
                {
                    reason = new EndOfStreamException("Redis closed the connection");
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            reason = ex;
        }

        Fail(reason);
        await _input.CompleteAsync().ConfigureAwait(false);
    }

    private SequencePosition ProcessReplies(in ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        SequencePosition consumed = buffer.Start;
        while (!reader.End && RespScanner.TryScan(ref reader))
        {
            ReadOnlySequence<byte> frame = buffer.Slice(consumed, reader.Position);
            consumed = reader.Position;
            if (_push is null || !TryPush(frame))
            {
                _frames.Add(frame);
            }
        }

        if (_frames.Count > 0)
        {
            CompleteReplies();
        }

        return consumed;
    }

    private void CompleteReplies()
    {
        try
        {
            lock (_lock)
            {
                if (_pending.Count < _frames.Count)
                {
                    throw new InvalidDataException("Redis sent more replies than commands were waiting for.");
                }

                for (int i = 0; i < _frames.Count; i++)
                {
                    _completing.Add(_pending.Dequeue());
                }

                _inFlight -= _frames.Count;
            }

            for (int i = 0; i < _frames.Count; i++)
            {
                ReadOnlySequence<byte> frame = _frames[i];
                PendingReply reply = _completing[i];
                if (frame.FirstSpan[0] == (byte)'-')
                {
                    reply.CompleteWithError(new RedisServerException(RespProcessors.DecodeError(frame)));
                }
                else
                {
                    reply.Complete(frame);
                }
            }
        }
        finally
        {
            _frames.Clear();
            _completing.Clear();
        }
    }

    /// <summary>Pub/sub messages (<c>["message", channel, payload]</c>) are pushed, not replies to a command.</summary>
    private bool TryPush(in ReadOnlySequence<byte> frame)
    {
        var reader = new RespReader(frame);
        if (reader.PeekType() != (byte)'*' || reader.ReadArrayLength() != 3 || !reader.ReadBulkEquals("message"u8))
        {
            return false;
        }

        string channel = reader.ReadString() ?? string.Empty;
        RedisValue payload = reader.ReadValue();
        _push!(channel, payload);
        return true;
    }

    private void Sweep()
    {
        if (_failure is not null)
        {
            return;
        }

        long now = _time.GetTimestamp();
        bool headOverdue = false;
        bool idle;
        lock (_lock)
        {
            idle = _pending.Count == 0;
            // Commands are queued in the order they were sent and share one timeout, so the expired ones are a prefix.
            foreach (PendingReply reply in _pending)
            {
                if (reply.Deadline > now)
                {
                    break;
                }

                headOverdue = true;
                if (!reply.IsCompleted)
                {
                    reply.TimeOut(new RedisTimeoutException(
                        $"Redis at {EndPoint} did not answer {reply.Command.ToUpperInvariant()} within the command timeout of {_settings.CommandTimeout.TotalMilliseconds:0} ms "
                        + $"(syncTimeout in {_settings.ConfigurationKey}); {_pending.Count} commands were in flight on the {_role} connection."));
                }
            }
        }

        TimeSpan silence = _time.GetElapsedTime(Volatile.Read(ref _lastReceiveTimestamp), now);
        if (headOverdue && silence >= _silenceBeforeDead)
        {
            Fail(new RedisConnectionException(
                $"Redis at {EndPoint} sent nothing for {silence.TotalSeconds:0.#} s while commands were overdue; the {_role} connection is considered dead and is replaced."));
        }
        else if (idle && silence >= _heartbeatAfter)
        {
            // An idle connection has no overdue command that could reveal a dead peer (the subscriber connection only
            // listens after SUBSCRIBE), so it sends PING: if nothing answers, the check above replaces it. PING is
            // allowed in subscribed mode (the reply is ["pong", ""]).
            _ = HeartbeatAsync();
        }
    }

    private async Task HeartbeatAsync()
    {
        try
        {
            await SendAsync(RedisCommand.Ping, RespProcessors.Ignore, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RedisException)
        {
            // A timeout or a lost connection: the sweep and the failure path deal with the connection.
        }
    }

    private void Fail(Exception reason)
    {
        lock (_lock)
        {
            if (_failure is not null)
            {
                return;
            }

            _failure = reason;
            _output.Writer.Complete();
        }

        _sweeper?.Dispose();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        _stream.Dispose();

        int failed = 0;
        while (true)
        {
            PendingReply? reply;
            lock (_lock)
            {
                if (!_pending.TryDequeue(out reply))
                {
                    break;
                }

                _inFlight--;
            }

            failed++;
            reply.FailConnection(new RedisConnectionException(
                $"The connection to Redis at {EndPoint} was lost ({reason.Message}) while {reply.Command.ToUpperInvariant()} was in flight; it may or may not have run.",
                reason));
        }

        _onFailed?.Invoke(this, reason, failed);
    }
}
