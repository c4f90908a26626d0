namespace AiServer.Jobs.Store;

/// <summary>One change of a job as its event stream keeps it: the stream entry id (the SSE event id) and the record after the change.</summary>
internal sealed record JobEvent(string Id, JobRecord Job);
