namespace AiServer.Providers.Bfl;

/// <summary>BFL's task statuses; <see cref="Unknown"/> for anything newer (<c>Reasoning</c>, <c>Generating</c>: non-terminal).</summary>
internal enum BflStatus
{
    Unknown,
    Pending,
    Ready,
    Error,
    RequestModerated,
    ContentModerated,
    TaskNotFound,
}
