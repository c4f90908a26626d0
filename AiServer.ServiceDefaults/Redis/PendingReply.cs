using System.Buffers;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// A command waiting for its reply in a connection's queue. Replies arrive in the order commands were written, so the
/// reader loop completes the head of the queue. A timed-out or canceled command stays queued until its (discarded)
/// reply arrives, which keeps the remaining replies matched to their callers.
/// </summary>
internal abstract class PendingReply
{
    /// <summary>Timestamp (<see cref="TimeProvider.GetTimestamp"/>) after which the command times out.</summary>
    public long Deadline { get; protected set; }

    /// <summary>Lower-case command name, for messages and metrics.</summary>
    public string Command { get; protected set; } = string.Empty;

    /// <summary>Whether the caller already has its outcome (reply, error, timeout or cancellation).</summary>
    public abstract bool IsCompleted { get; }

    /// <summary>Completes the command with a reply frame (not an error) and releases the queue's hold.</summary>
    public abstract void Complete(in ReadOnlySequence<byte> frame);

    /// <summary>Completes the command with a server error and releases the queue's hold.</summary>
    public abstract void CompleteWithError(RedisServerException error);

    /// <summary>Fails the command because the connection is gone and releases the queue's hold.</summary>
    public abstract void FailConnection(RedisConnectionException error);

    /// <summary>Fails the caller with a timeout; the queue keeps its hold until the reply or the connection's end.</summary>
    public abstract void TimeOut(RedisTimeoutException error);
}
