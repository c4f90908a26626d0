using System.Text.Json.Nodes;
using AiServer.ProviderEmulator.Infrastructure;

namespace AiServer.ProviderEmulator.Providers.HuggingFace;

/// <summary>
/// A queued Gradio call waiting to be streamed: by the REST API (<c>/call/{api}</c>, no session) or by the queue
/// protocol the official clients use (<c>/queue/join</c> with a <see cref="SessionHash"/>, streamed by <c>/queue/data</c>).
/// </summary>
internal sealed record GradioCall(string EventId, string Space, string ApiName, JsonArray Data, DateTimeOffset CreatedAt, JobOutcome Outcome, TimeSpan Duration, string? SessionHash = null);
