namespace AiServer.ServiceDefaults.Redis;

/// <summary>One entry of the extended <c>XPENDING</c> reply: a delivered but unacknowledged message.</summary>
/// <param name="MessageId">The message id.</param>
/// <param name="ConsumerName">The consumer that owns it.</param>
/// <param name="IdleTime">Time since it was last delivered.</param>
/// <param name="DeliveryCount">How many times it was delivered.</param>
public sealed record RedisStreamPendingMessage(string MessageId, string ConsumerName, TimeSpan IdleTime, long DeliveryCount);
