using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// The typed commands. Arguments are written straight into the connection's pipe (fixed arities through
/// stack-allocated <c>params</c> spans, variable ones through pooled arrays), so a call allocates only its result.
/// </summary>
internal sealed class RedisDatabase(ManagedConnection commands, BlockingConnectionPool blocking, RedisConnectionSettings settings) : IRedisDatabase
{
    private static readonly HashSet<string> RefusedCommands = new(StringComparer.OrdinalIgnoreCase)
    {
        "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE", "MONITOR", "SELECT",
        "QUIT", "RESET", "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH", "HELLO", "AUTH", "SYNC", "PSYNC",
    };

    private static readonly HashSet<string> BlockingCommands = new(StringComparer.OrdinalIgnoreCase)
    {
        "BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP", "WAIT", "WAITAOF",
    };

    public async ValueTask<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        await commands.SendAsync(RedisCommand.Ping, RespProcessors.Ignore, cancellationToken).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(start);
    }

    public ValueTask<DateTimeOffset> TimeAsync(CancellationToken cancellationToken = default) =>
        commands.SendAsync(RedisCommand.Time, RespProcessors.Time, cancellationToken);

    public ValueTask<RedisValue> StringGetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return commands.SendAsync(RedisCommand.Get, RespProcessors.Value, cancellationToken, key);
    }

    public ValueTask<bool> StringSetAsync(string key, RedisValue value, TimeSpan? expiry = null, bool onlyIfNotExists = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (expiry is null)
        {
            return onlyIfNotExists
                ? commands.SendAsync(RedisCommand.Set, RespProcessors.OkOrNull, cancellationToken, key, value, "NX")
                : commands.SendAsync(RedisCommand.Set, RespProcessors.OkOrNull, cancellationToken, key, value);
        }

        long ms = Milliseconds(expiry.Value, nameof(expiry));
        return onlyIfNotExists
            ? commands.SendAsync(RedisCommand.Set, RespProcessors.OkOrNull, cancellationToken, key, value, "PX", ms, "NX")
            : commands.SendAsync(RedisCommand.Set, RespProcessors.OkOrNull, cancellationToken, key, value, "PX", ms);
    }

    public ValueTask<long> StringIncrementAsync(string key, long value = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return value == 1
            ? commands.SendAsync(RedisCommand.Incr, RespProcessors.Int64, cancellationToken, key)
            : commands.SendAsync(RedisCommand.IncrBy, RespProcessors.Int64, cancellationToken, key, value);
    }

    public ValueTask<bool> KeyDeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return commands.SendAsync(RedisCommand.Del, RespProcessors.Boolean, cancellationToken, key);
    }

    public ValueTask<long> KeyDeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return ValueTask.FromResult(0L);
        }

        return SendPooled(RedisCommand.Del, RespProcessors.Int64, cancellationToken, keys.Count, keys, static (args, offset, state) =>
        {
            foreach (string key in state)
            {
                args[offset++] = key;
            }
        });
    }

    public ValueTask<bool> KeyExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return commands.SendAsync(RedisCommand.Exists, RespProcessors.Boolean, cancellationToken, key);
    }

    public ValueTask<bool> KeyExpireAsync(string key, TimeSpan expiry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return commands.SendAsync(RedisCommand.PExpire, RespProcessors.Boolean, cancellationToken, key, Milliseconds(expiry, nameof(expiry)));
    }

    public async IAsyncEnumerable<string> KeyScanAsync(string pattern = "*", int pageSize = 250, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        string cursor = "0";
        do
        {
            (cursor, string[] keys) = await commands.SendAsync(RedisCommand.Scan, RespProcessors.Scan, cancellationToken, cursor, "MATCH", pattern, "COUNT", pageSize).ConfigureAwait(false);
            foreach (string key in keys)
            {
                yield return key;
            }
        }
        while (cursor != "0");
    }

    public ValueTask<RedisValue> HashGetAsync(string key, string field, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(field);
        return commands.SendAsync(RedisCommand.HGet, RespProcessors.Value, cancellationToken, key, field);
    }

    public ValueTask<bool> HashSetAsync(string key, string field, RedisValue value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(field);
        return commands.SendAsync(RedisCommand.HSet, RespProcessors.Boolean, cancellationToken, key, field, value);
    }

    public ValueTask<long> HashSetAsync(string key, IReadOnlyCollection<KeyValuePair<string, RedisValue>> fields, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentOutOfRangeException.ThrowIfZero(fields.Count, nameof(fields));
        return SendPooled(RedisCommand.HSet, RespProcessors.Int64, cancellationToken, 1 + (2 * fields.Count), (key, fields), static (args, offset, state) =>
        {
            args[offset++] = state.key;
            foreach (KeyValuePair<string, RedisValue> field in state.fields)
            {
                args[offset++] = field.Key;
                args[offset++] = field.Value;
            }
        });
    }

    public async ValueTask<IReadOnlyDictionary<string, RedisValue>> HashGetAllAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return await commands.SendAsync(RedisCommand.HGetAll, RespProcessors.Hash, cancellationToken, key).ConfigureAwait(false);
    }

    public ValueTask<bool> HashDeleteAsync(string key, string field, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(field);
        return commands.SendAsync(RedisCommand.HDel, RespProcessors.Boolean, cancellationToken, key, field);
    }

    public ValueTask<bool> SetAddAsync(string key, RedisValue member, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return commands.SendAsync(RedisCommand.SAdd, RespProcessors.Boolean, cancellationToken, key, member);
    }

    public ValueTask<bool> SetRemoveAsync(string key, RedisValue member, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return commands.SendAsync(RedisCommand.SRem, RespProcessors.Boolean, cancellationToken, key, member);
    }

    public ValueTask<RedisValue[]> SetMembersAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return commands.SendAsync(RedisCommand.SMembers, RespProcessors.ValueArray, cancellationToken, key);
    }

    public ValueTask<bool> SortedSetAddAsync(string key, RedisValue member, double score, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return commands.SendAsync(RedisCommand.ZAdd, RespProcessors.Boolean, cancellationToken, key, score, member);
    }

    public ValueTask<RedisValue[]> SortedSetRangeByScoreAsync(string key, double min = double.NegativeInfinity, double max = double.PositiveInfinity, long skip = 0, long take = -1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return skip == 0 && take < 0
            ? commands.SendAsync(RedisCommand.ZRangeByScore, RespProcessors.ValueArray, cancellationToken, key, min, max)
            : commands.SendAsync(RedisCommand.ZRangeByScore, RespProcessors.ValueArray, cancellationToken, key, min, max, "LIMIT", skip, take);
    }

    public ValueTask<bool> SortedSetRemoveAsync(string key, RedisValue member, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return commands.SendAsync(RedisCommand.ZRem, RespProcessors.Boolean, cancellationToken, key, member);
    }

    public async ValueTask<RedisResult> ScriptEvaluateAsync(RedisScript script, IReadOnlyList<string>? keys = null, IReadOnlyList<RedisValue>? args = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(script);
        try
        {
            return await EvalShaAsync(script, keys, args, cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.ErrorCode == "NOSCRIPT")
        {
            // Redis restarted or its script cache was flushed: load the script and run it again (once).
            await ScriptLoadAsync(script, cancellationToken).ConfigureAwait(false);
            return await EvalShaAsync(script, keys, args, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<string> ScriptLoadAsync(RedisScript script, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(script);
        return await commands.SendAsync(RedisCommand.ScriptLoad, RespProcessors.String, cancellationToken, script.Source).ConfigureAwait(false) ?? script.Sha1;
    }

    public async ValueTask<string> StreamAddAsync(string key, IReadOnlyCollection<KeyValuePair<string, RedisValue>> fields, long? maxLength = null, bool approximateMaxLength = true, string messageId = "*", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentOutOfRangeException.ThrowIfZero(fields.Count, nameof(fields));
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        int trim = maxLength is null ? 0 : approximateMaxLength ? 3 : 2;
        int count = 1 + trim + 1 + (2 * fields.Count);
        string? id = await SendPooled(RedisCommand.XAdd, RespProcessors.String, cancellationToken, count, (key, fields, maxLength, approximateMaxLength, messageId), static (args, offset, state) =>
        {
            args[offset++] = state.key;
            if (state.maxLength is { } max)
            {
                args[offset++] = "MAXLEN";
                if (state.approximateMaxLength)
                {
                    args[offset++] = "~";
                }

                args[offset++] = max;
            }

            args[offset++] = state.messageId;
            foreach (KeyValuePair<string, RedisValue> field in state.fields)
            {
                args[offset++] = field.Key;
                args[offset++] = field.Value;
            }
        }).ConfigureAwait(false);
        return id ?? throw new RedisException($"XADD to {key} returned no id.");
    }

    public async ValueTask<bool> StreamCreateConsumerGroupAsync(string key, string group, string position = "$", bool createStream = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentException.ThrowIfNullOrEmpty(position);
        try
        {
            return createStream
                ? await commands.SendAsync(RedisCommand.XGroupCreate, RespProcessors.Ignore, cancellationToken, key, group, position, "MKSTREAM").ConfigureAwait(false)
                : await commands.SendAsync(RedisCommand.XGroupCreate, RespProcessors.Ignore, cancellationToken, key, group, position).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.ErrorCode == "BUSYGROUP")
        {
            return false;
        }
    }

    public ValueTask<RedisStreamEntry[]> StreamReadGroupAsync(string key, string group, string consumer, string position = ">", int? count = null, TimeSpan? block = null, bool noAck = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentException.ThrowIfNullOrEmpty(consumer);
        ArgumentException.ThrowIfNullOrEmpty(position);
        var args = new List<RedisValue>(12) { "GROUP", group, consumer };
        if (count is { } n)
        {
            args.Add("COUNT");
            args.Add(n);
        }

        if (block is { } wait)
        {
            args.Add("BLOCK");
            args.Add(Milliseconds(wait, nameof(block)));
        }

        if (noAck)
        {
            args.Add("NOACK");
        }

        args.Add("STREAMS");
        args.Add(key);
        args.Add(position);
        return block is { } blockTime
            ? blocking.ExecuteAsync(RedisCommand.XReadGroup, RespProcessors.StreamRead, blockTime + settings.CommandTimeout, [.. args], cancellationToken)
            : commands.SendAsync(RedisCommand.XReadGroup, RespProcessors.StreamRead, cancellationToken, [.. args]);
    }

    public ValueTask<long> StreamAcknowledgeAsync(string key, string group, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentNullException.ThrowIfNull(messageIds);
        if (messageIds.Count == 0)
        {
            return ValueTask.FromResult(0L);
        }

        return SendPooled(RedisCommand.XAck, RespProcessors.Int64, cancellationToken, 2 + messageIds.Count, (key, group, messageIds), static (args, offset, state) =>
        {
            args[offset++] = state.key;
            args[offset++] = state.group;
            foreach (string id in state.messageIds)
            {
                args[offset++] = id;
            }
        });
    }

    public ValueTask<RedisStreamAutoClaimResult> StreamAutoClaimAsync(string key, string group, string consumer, TimeSpan minIdleTime, string startId = "0-0", int? count = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentException.ThrowIfNullOrEmpty(consumer);
        ArgumentException.ThrowIfNullOrEmpty(startId);
        long idle = Milliseconds(minIdleTime, nameof(minIdleTime));
        return count is { } n
            ? commands.SendAsync(RedisCommand.XAutoClaim, RespProcessors.AutoClaim, cancellationToken, key, group, consumer, idle, startId, "COUNT", n)
            : commands.SendAsync(RedisCommand.XAutoClaim, RespProcessors.AutoClaim, cancellationToken, key, group, consumer, idle, startId);
    }

    public ValueTask<RedisStreamPendingMessage[]> StreamPendingMessagesAsync(string key, string group, int count, string? consumer = null, TimeSpan? minIdleTime = null, string minId = "-", string maxId = "+", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var args = new List<RedisValue>(8) { key, group };
        if (minIdleTime is { } idle)
        {
            args.Add("IDLE");
            args.Add(Milliseconds(idle, nameof(minIdleTime)));
        }

        args.Add(minId);
        args.Add(maxId);
        args.Add(count);
        if (consumer is not null)
        {
            args.Add(consumer);
        }

        return commands.SendAsync(RedisCommand.XPending, RespProcessors.Pending, cancellationToken, [.. args]);
    }

    public ValueTask<long> StreamLengthAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return commands.SendAsync(RedisCommand.XLen, RespProcessors.Int64, cancellationToken, key);
    }

    public ValueTask<long> StreamDeleteAsync(string key, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(messageIds);
        if (messageIds.Count == 0)
        {
            return ValueTask.FromResult(0L);
        }

        return SendPooled(RedisCommand.XDel, RespProcessors.Int64, cancellationToken, 1 + messageIds.Count, (key, messageIds), static (args, offset, state) =>
        {
            args[offset++] = state.key;
            foreach (string id in state.messageIds)
            {
                args[offset++] = id;
            }
        });
    }

    public ValueTask<RedisResult> ExecuteAsync(string command, params RedisValue[] args) =>
        ExecuteAsync(command, args, CancellationToken.None);

    public ValueTask<RedisResult> ExecuteAsync(string command, IReadOnlyList<RedisValue> args, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(args);
        var redisCommand = new RedisCommand(command);
        string name = command.Trim().Split(' ')[0];
        if (RefusedCommands.Contains(name))
        {
            throw new NotSupportedException(
                $"{name.ToUpperInvariant()} would change the state of the shared Redis connection; use IRedisSubscriber for pub/sub and defaultDatabase in the connection string for SELECT.");
        }

        RedisValue[] array = [.. args];
        bool isBlocking = BlockingCommands.Contains(name)
            || (name.StartsWith("XREAD", StringComparison.OrdinalIgnoreCase) && array.Any(a => string.Equals(a.ToString(), "BLOCK", StringComparison.OrdinalIgnoreCase)));
        if (!isBlocking)
        {
            return commands.SendAsync(redisCommand, RespProcessors.Result, cancellationToken, array);
        }

        // The block time plus the command timeout, so a dead or hung server cannot hold the caller forever; without a
        // block time (0 = wait forever) only the caller's token, a lost connection and TCP keepalive end the wait.
        TimeSpan? blockTime = BlockTime(name, array);
        TimeSpan timeout = blockTime is { } block && block > TimeSpan.Zero ? block + settings.CommandTimeout : Timeout.InfiniteTimeSpan;
        return blocking.ExecuteAsync(redisCommand, RespProcessors.Result, timeout, array, cancellationToken);
    }

    /// <summary>The block time of a blocking command, where it can be read from the arguments; null when unknown.</summary>
    private static TimeSpan? BlockTime(string name, RedisValue[] args)
    {
        if (args.Length == 0)
        {
            return null;
        }

        switch (name.ToUpperInvariant())
        {
            case "BLPOP" or "BRPOP" or "BLMOVE" or "BRPOPLPUSH" or "BZPOPMIN" or "BZPOPMAX":
                return InSeconds(args[^1]);
            case "BLMPOP" or "BZMPOP":
                return InSeconds(args[0]);
            case "WAIT" or "WAITAOF":
                return InMilliseconds(args[^1]);
            default:
                // XREAD / XREADGROUP: BLOCK milliseconds.
                int index = Array.FindIndex(args, a => string.Equals(a.ToString(), "BLOCK", StringComparison.OrdinalIgnoreCase));
                return index >= 0 && index + 1 < args.Length ? InMilliseconds(args[index + 1]) : null;
        }

        static TimeSpan? InSeconds(RedisValue value) =>
            double.TryParse(value.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds is >= 0 and < 1e9
                ? TimeSpan.FromSeconds(seconds)
                : null;

        static TimeSpan? InMilliseconds(RedisValue value) =>
            double.TryParse(value.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double milliseconds) && milliseconds is >= 0 and < 1e12
                ? TimeSpan.FromMilliseconds(milliseconds)
                : null;
    }

    private ValueTask<RedisResult> EvalShaAsync(RedisScript script, IReadOnlyList<string>? keys, IReadOnlyList<RedisValue>? args, CancellationToken cancellationToken)
    {
        int keyCount = keys?.Count ?? 0;
        int argCount = args?.Count ?? 0;
        return SendPooled(RedisCommand.EvalSha, RespProcessors.Result, cancellationToken, 2 + keyCount + argCount, (script, keys, args), static (buffer, offset, state) =>
        {
            buffer[offset++] = state.script.Sha1;
            buffer[offset++] = state.keys?.Count ?? 0;
            for (int i = 0; i < (state.keys?.Count ?? 0); i++)
            {
                buffer[offset++] = state.keys![i];
            }

            for (int i = 0; i < (state.args?.Count ?? 0); i++)
            {
                buffer[offset++] = state.args![i];
            }
        });
    }

    private static long Milliseconds(TimeSpan value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, name);
        // Redis counts in whole milliseconds; round up so a sub-millisecond TTL does not become "no TTL" or an error.
        return (long)Math.Ceiling(value.TotalMilliseconds);
    }

    private ValueTask<T> SendPooled<T, TState>(RedisCommand command, RespProcessor<T> processor, CancellationToken cancellationToken, int count, TState state, Action<RedisValue[], int, TState> fill)
    {
        RedisValue[] args = ArrayPool<RedisValue>.Shared.Rent(count);
        try
        {
            fill(args, 0, state);
            // The command is copied into the pipe before SendAsync returns, so the array can go back at once.
            return commands.SendAsync(command, processor, cancellationToken, args.AsSpan(0, count));
        }
        finally
        {
            ArrayPool<RedisValue>.Shared.Return(args, clearArray: true);
        }
    }
}
