namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// Redis commands (names follow StackExchange.Redis's <c>IDatabase</c> so it can replace this client). Every command
/// is pipelined on the shared connection and honours the command timeout (<c>syncTimeout</c>, then
/// <see cref="RedisTimeoutException"/>) and its cancellation token. Errors from Redis throw
/// <see cref="RedisServerException"/>; a missing connection throws <see cref="RedisConnectionException"/> at once.
/// Keys are not prefixed automatically: build them from <see cref="RedisOptions.KeyPrefix"/>.
/// </summary>
public interface IRedisDatabase
{
    /// <summary>PING.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The round-trip time.</returns>
    ValueTask<TimeSpan> PingAsync(CancellationToken cancellationToken = default);

    /// <summary>TIME: Redis's clock (what scripts use), independent of this machine's.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The server time, microsecond precision.</returns>
    ValueTask<DateTimeOffset> TimeAsync(CancellationToken cancellationToken = default);

    /// <summary>GET.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The value, or <see cref="RedisValue.Null"/> when the key does not exist.</returns>
    ValueTask<RedisValue> StringGetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>SET [PX ms] [NX].</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value (binary safe).</param>
    /// <param name="expiry">Time to live (millisecond precision), or null for none.</param>
    /// <param name="onlyIfNotExists">NX: set only when the key does not exist (a lease or lock).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether the value was set (false only when NX found the key).</returns>
    ValueTask<bool> StringSetAsync(string key, RedisValue value, TimeSpan? expiry = null, bool onlyIfNotExists = false, CancellationToken cancellationToken = default);

    /// <summary>INCR / INCRBY.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The increment.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The value after the increment.</returns>
    ValueTask<long> StringIncrementAsync(string key, long value = 1, CancellationToken cancellationToken = default);

    /// <summary>DEL of one key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether the key existed.</returns>
    ValueTask<bool> KeyDeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>DEL of several keys.</summary>
    /// <param name="keys">The keys.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>How many existed.</returns>
    ValueTask<long> KeyDeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default);

    /// <summary>EXISTS.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether the key exists.</returns>
    ValueTask<bool> KeyExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>PEXPIRE.</summary>
    /// <param name="key">The key.</param>
    /// <param name="expiry">Time to live, millisecond precision.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether the key exists (and got the expiry).</returns>
    ValueTask<bool> KeyExpireAsync(string key, TimeSpan expiry, CancellationToken cancellationToken = default);

    /// <summary>SCAN over the whole keyspace (never KEYS): pages of <paramref name="pageSize"/>, streamed.</summary>
    /// <param name="pattern">MATCH pattern, e.g. <c>aiserver:cb:*</c>.</param>
    /// <param name="pageSize">COUNT hint per round-trip.</param>
    /// <param name="cancellationToken">Stops the scan.</param>
    /// <returns>The matching keys; a key may appear twice if the keyspace changes during the scan (SCAN's guarantee).</returns>
    IAsyncEnumerable<string> KeyScanAsync(string pattern = "*", int pageSize = 250, CancellationToken cancellationToken = default);

    /// <summary>HGET.</summary>
    /// <param name="key">The hash.</param>
    /// <param name="field">The field.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The value, or <see cref="RedisValue.Null"/>.</returns>
    ValueTask<RedisValue> HashGetAsync(string key, string field, CancellationToken cancellationToken = default);

    /// <summary>HSET of one field.</summary>
    /// <param name="key">The hash.</param>
    /// <param name="field">The field.</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether the field is new.</returns>
    ValueTask<bool> HashSetAsync(string key, string field, RedisValue value, CancellationToken cancellationToken = default);

    /// <summary>HSET of several fields, atomically.</summary>
    /// <param name="key">The hash.</param>
    /// <param name="fields">The fields and values.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>How many fields are new.</returns>
    ValueTask<long> HashSetAsync(string key, IReadOnlyCollection<KeyValuePair<string, RedisValue>> fields, CancellationToken cancellationToken = default);

    /// <summary>HGETALL.</summary>
    /// <param name="key">The hash.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The fields (empty when the key does not exist).</returns>
    ValueTask<IReadOnlyDictionary<string, RedisValue>> HashGetAllAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>HDEL.</summary>
    /// <param name="key">The hash.</param>
    /// <param name="field">The field.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether the field existed.</returns>
    ValueTask<bool> HashDeleteAsync(string key, string field, CancellationToken cancellationToken = default);

    /// <summary>SADD.</summary>
    /// <param name="key">The set.</param>
    /// <param name="member">The member.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether the member is new.</returns>
    ValueTask<bool> SetAddAsync(string key, RedisValue member, CancellationToken cancellationToken = default);

    /// <summary>SREM.</summary>
    /// <param name="key">The set.</param>
    /// <param name="member">The member.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether the member was there.</returns>
    ValueTask<bool> SetRemoveAsync(string key, RedisValue member, CancellationToken cancellationToken = default);

    /// <summary>SMEMBERS.</summary>
    /// <param name="key">The set.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The members, in no particular order.</returns>
    ValueTask<RedisValue[]> SetMembersAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>ZADD of one member.</summary>
    /// <param name="key">The sorted set.</param>
    /// <param name="member">The member.</param>
    /// <param name="score">Its score.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether the member is new (false when only its score changed).</returns>
    ValueTask<bool> SortedSetAddAsync(string key, RedisValue member, double score, CancellationToken cancellationToken = default);

    /// <summary>ZRANGEBYSCORE min max [LIMIT skip take] (inclusive bounds).</summary>
    /// <param name="key">The sorted set.</param>
    /// <param name="min">Lowest score (default -inf).</param>
    /// <param name="max">Highest score (default +inf).</param>
    /// <param name="skip">Members to skip.</param>
    /// <param name="take">Members to return; -1 for all.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The members in score order.</returns>
    ValueTask<RedisValue[]> SortedSetRangeByScoreAsync(string key, double min = double.NegativeInfinity, double max = double.PositiveInfinity, long skip = 0, long take = -1, CancellationToken cancellationToken = default);

    /// <summary>ZREM.</summary>
    /// <param name="key">The sorted set.</param>
    /// <param name="member">The member.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether the member was there.</returns>
    ValueTask<bool> SortedSetRemoveAsync(string key, RedisValue member, CancellationToken cancellationToken = default);

    /// <summary>EVALSHA, loading the script with SCRIPT LOAD and retrying once when Redis answers NOSCRIPT.</summary>
    /// <param name="script">The script.</param>
    /// <param name="keys">KEYS[1..n].</param>
    /// <param name="args">ARGV[1..n].</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>What the script returned.</returns>
    ValueTask<RedisResult> ScriptEvaluateAsync(RedisScript script, IReadOnlyList<string>? keys = null, IReadOnlyList<RedisValue>? args = null, CancellationToken cancellationToken = default);

    /// <summary>SCRIPT LOAD (e.g. at start-up, to surface a script error early).</summary>
    /// <param name="script">The script.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The SHA-1 Redis returned.</returns>
    ValueTask<string> ScriptLoadAsync(RedisScript script, CancellationToken cancellationToken = default);

    /// <summary>XADD key [MAXLEN [~] n] id field value ...</summary>
    /// <param name="key">The stream.</param>
    /// <param name="fields">The message's fields.</param>
    /// <param name="maxLength">MAXLEN trim, or null for none.</param>
    /// <param name="approximateMaxLength">Trim with <c>~</c> (cheaper; the stream may stay slightly longer).</param>
    /// <param name="messageId">The id, <c>*</c> to let Redis choose.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The message id.</returns>
    ValueTask<string> StreamAddAsync(string key, IReadOnlyCollection<KeyValuePair<string, RedisValue>> fields, long? maxLength = null, bool approximateMaxLength = true, string messageId = "*", CancellationToken cancellationToken = default);

    /// <summary>XGROUP CREATE key group position [MKSTREAM].</summary>
    /// <param name="key">The stream.</param>
    /// <param name="group">The group.</param>
    /// <param name="position"><c>$</c> (new messages only) or <c>0</c> (the whole stream) or an id.</param>
    /// <param name="createStream">MKSTREAM: create an empty stream when missing.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True when created, false when the group already existed (BUSYGROUP), so start-up can call it every time.</returns>
    ValueTask<bool> StreamCreateConsumerGroupAsync(string key, string group, string position = "$", bool createStream = true, CancellationToken cancellationToken = default);

    /// <summary>
    /// XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS key position. With <paramref name="block"/>
    /// the command runs on a dedicated connection so it never stalls the shared one; its timeout is the block time
    /// plus the command timeout.
    /// </summary>
    /// <param name="key">The stream.</param>
    /// <param name="group">The group.</param>
    /// <param name="consumer">This consumer's name.</param>
    /// <param name="position"><c>&gt;</c> for new messages, or an id to re-read this consumer's pending ones.</param>
    /// <param name="count">Most messages to return.</param>
    /// <param name="block">How long to wait for a message; null to return at once.</param>
    /// <param name="noAck">NOACK: do not add the messages to the pending list.</param>
    /// <param name="cancellationToken">Cancels the wait (and closes a blocking connection).</param>
    /// <returns>The messages; empty when none arrived.</returns>
    ValueTask<RedisStreamEntry[]> StreamReadGroupAsync(string key, string group, string consumer, string position = ">", int? count = null, TimeSpan? block = null, bool noAck = false, CancellationToken cancellationToken = default);

    /// <summary>XACK.</summary>
    /// <param name="key">The stream.</param>
    /// <param name="group">The group.</param>
    /// <param name="messageIds">The ids to acknowledge.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>How many were pending and are now acknowledged.</returns>
    ValueTask<long> StreamAcknowledgeAsync(string key, string group, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default);

    /// <summary>XAUTOCLAIM key group consumer min-idle-time start [COUNT n]: take over messages a dead consumer left pending.</summary>
    /// <param name="key">The stream.</param>
    /// <param name="group">The group.</param>
    /// <param name="consumer">The consumer taking them.</param>
    /// <param name="minIdleTime">Only messages idle at least this long.</param>
    /// <param name="startId">Where to start scanning the pending list.</param>
    /// <param name="count">Most messages to claim (Redis default 100).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The claimed messages, the deleted ids and the next start id.</returns>
    ValueTask<RedisStreamAutoClaimResult> StreamAutoClaimAsync(string key, string group, string consumer, TimeSpan minIdleTime, string startId = "0-0", int? count = null, CancellationToken cancellationToken = default);

    /// <summary>XPENDING key group [IDLE ms] min max count [consumer] (the extended form).</summary>
    /// <param name="key">The stream.</param>
    /// <param name="group">The group.</param>
    /// <param name="count">Most entries to return.</param>
    /// <param name="consumer">Only this consumer's, or null for all.</param>
    /// <param name="minIdleTime">Only entries idle at least this long, or null.</param>
    /// <param name="minId">Lowest id (<c>-</c> for the start).</param>
    /// <param name="maxId">Highest id (<c>+</c> for the end).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The pending entries.</returns>
    ValueTask<RedisStreamPendingMessage[]> StreamPendingMessagesAsync(string key, string group, int count, string? consumer = null, TimeSpan? minIdleTime = null, string minId = "-", string maxId = "+", CancellationToken cancellationToken = default);

    /// <summary>XLEN.</summary>
    /// <param name="key">The stream.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The number of messages (0 when missing).</returns>
    ValueTask<long> StreamLengthAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>XDEL.</summary>
    /// <param name="key">The stream.</param>
    /// <param name="messageIds">The ids.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>How many were deleted.</returns>
    ValueTask<long> StreamDeleteAsync(string key, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Any other command, e.g. <c>ExecuteAsync("CLIENT", "GETNAME")</c>. Blocking commands (BLPOP, WAIT, XREAD ... BLOCK)
    /// run on a dedicated connection without a command timeout (bound them with a token). Commands that would change
    /// the shared connection's state (SELECT, SUBSCRIBE, MULTI, MONITOR, QUIT, ...) are refused with
    /// <see cref="NotSupportedException"/>.
    /// </summary>
    /// <param name="command">The command name (a sub-command may follow after a space).</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The reply.</returns>
    ValueTask<RedisResult> ExecuteAsync(string command, params RedisValue[] args);

    /// <summary>Any other command, with a cancellation token; see <see cref="ExecuteAsync(string, RedisValue[])"/>.</summary>
    /// <param name="command">The command name.</param>
    /// <param name="args">The arguments.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The reply.</returns>
    ValueTask<RedisResult> ExecuteAsync(string command, IReadOnlyList<RedisValue> args, CancellationToken cancellationToken);
}
