using System.Text.Json.Nodes;

namespace AiServer.Jobs.Webhooks;

/// <summary>An <see cref="IJobPayloadRenderer"/> over a function (the api passes its job view).</summary>
internal sealed class DelegateJobPayloadRenderer(Func<JobRecord, JsonNode> render) : IJobPayloadRenderer
{
    public JsonNode Render(JobRecord job) => render(job);
}
