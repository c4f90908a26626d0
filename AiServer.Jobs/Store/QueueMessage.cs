namespace AiServer.Jobs.Store;

/// <summary>A message of a kind's stream: the job it carries and the trace context of the request that queued it.</summary>
internal sealed record QueueMessage(string Kind, string MessageId, string JobId, string? TraceParent, string? TraceState);
