using System.Text.Json.Nodes;
using AiServer.ProviderEmulator.Infrastructure;

namespace AiServer.ProviderEmulator.Providers.HuggingFace;

/// <summary>A queued Gradio call waiting to be streamed.</summary>
internal sealed record GradioCall(string EventId, string Space, string ApiName, JsonArray Data, DateTimeOffset CreatedAt, JobOutcome Outcome, TimeSpan Duration);
