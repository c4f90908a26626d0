using System.Text.Json.Nodes;

namespace AiServer.Jobs.Webhooks;

/// <summary>Renders a job as clients see it (the api's job view), for the <c>data</c> of a client webhook.</summary>
internal interface IJobPayloadRenderer
{
    JsonNode Render(JobRecord job);
}
