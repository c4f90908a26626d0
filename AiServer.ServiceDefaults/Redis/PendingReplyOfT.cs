using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// A pooled <see cref="IValueTaskSource{TResult}"/> for one command. Two holds keep it alive: the caller's (released
/// when the awaited result is read) and the queue's (released when the reply arrives or the connection fails); the
/// object returns to the pool when both are gone, so a steady load allocates nothing per command but the result.
/// Continuations run asynchronously so a slow caller never stalls the reader loop.
/// </summary>
internal sealed class PendingReply<T> : PendingReply, IValueTaskSource<T>
{
    private const int MaxPooled = 4096;

    private static readonly ConcurrentQueue<PendingReply<T>> Pool = new();
    private static int _pooled;

    private ManualResetValueTaskSourceCore<T> _core = new() { RunContinuationsAsynchronously = true };
    private RespProcessor<T>? _processor;
    private RedisMetrics? _metrics;
    private long _startTimestamp;
    private int _completed;
    private int _holds;
    private CancellationTokenRegistration _cancellation;

    public short Version => _core.Version;

    public override bool IsCompleted => Volatile.Read(ref _completed) != 0;

    public static PendingReply<T> Rent(RedisCommand command, RespProcessor<T> processor, RedisMetrics metrics, long startTimestamp, long deadline)
    {
        if (Pool.TryDequeue(out PendingReply<T>? reply))
        {
            Interlocked.Decrement(ref _pooled);
        }
        else
        {
            reply = new PendingReply<T>();
        }

        reply.Command = command.Name;
        reply._processor = processor;
        reply._metrics = metrics;
        reply._startTimestamp = startTimestamp;
        reply.Deadline = deadline;
        reply._completed = 0;
        reply._holds = 2;
        return reply;
    }

    /// <summary>Returns a reply that was never queued (the write was refused).</summary>
    public void ReturnUnused()
    {
        _holds = 0;
        Recycle();
    }

    public void RegisterCancellation(CancellationToken cancellationToken) =>
        _cancellation = cancellationToken.UnsafeRegister(
            static (state, token) => ((PendingReply<T>)state!).Cancel(token),
            this);

    public override void Complete(in ReadOnlySequence<byte> frame)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            try
            {
                var reader = new RespReader(frame);
                T result = _processor!(ref reader);
                _metrics!.RecordCommand(Command, RedisMetrics.Success, _startTimestamp);
                _core.SetResult(result);
            }
#pragma warning disable CA1031 // Whatever the reply processing throws goes to this caller; the reader loop must go on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _metrics!.RecordCommand(Command, RedisMetrics.ServerError, _startTimestamp);
                _core.SetException(new RedisException($"Unexpected reply to Redis command {Command}: {ex.Message}", ex));
            }
        }

        Release();
    }

    public override void CompleteWithError(RedisServerException error)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _metrics!.RecordCommand(Command, RedisMetrics.ServerError, _startTimestamp);
            _core.SetException(error);
        }

        Release();
    }

    public override void FailConnection(RedisConnectionException error)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _metrics!.RecordCommand(Command, RedisMetrics.ConnectionError, _startTimestamp);
            _core.SetException(error);
        }

        Release();
    }

    public override void TimeOut(RedisTimeoutException error)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _metrics!.RecordCommand(Command, RedisMetrics.Timeout, _startTimestamp);
            _core.SetException(error);
        }
    }

    public T GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Release();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Cancel(CancellationToken token)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _metrics!.RecordCommand(Command, RedisMetrics.Canceled, _startTimestamp);
            _core.SetException(new OperationCanceledException($"The Redis command {Command} was canceled.", token));
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _holds) == 0)
        {
            Recycle();
        }
    }

    private void Recycle()
    {
        _cancellation.Dispose();
        _cancellation = default;
        _processor = null;
        _metrics = null;
        _core.Reset();
        if (Interlocked.Increment(ref _pooled) <= MaxPooled)
        {
            Pool.Enqueue(this);
        }
        else
        {
            Interlocked.Decrement(ref _pooled);
        }
    }
}
