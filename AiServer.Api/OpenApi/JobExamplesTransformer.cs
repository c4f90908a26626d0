using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AiServer.Api.OpenApi;

/// <summary>Adds a request example for every job kind to <c>POST /v1/jobs/{kind}</c> in the OpenAPI document.</summary>
internal sealed class JobExamplesTransformer : IOpenApiOperationTransformer
{
    /// <summary>One valid body per kind (the README's curl examples send the same).</summary>
    internal static readonly IReadOnlyDictionary<string, string> Examples = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["speech"] = """{"text":"Hello from AiServer.","voice_id":"21m00Tcm4TlvDq8ikWAM"}""",
        ["voice-clone"] = """{"name":"Narrator","samples":["https://example.com/sample-1.mp3"],"description":"Calm narrator voice"}""",
        ["lip-sync"] = """{"video_url":"https://example.com/face.mp4","audio_url":"https://example.com/speech.mp3","sync_mode":"bounce"}""",
        ["image-caption"] = """{"image_url":"https://example.com/photo.png","caption_type":"Descriptive","caption_length":"short"}""",
        ["image-generation"] = """{"prompt":"a lighthouse at dawn, watercolor","width":1024,"height":768}""",
        ["image-generation (bfl)"] = """{"prompt":"a lighthouse at dawn, watercolor","provider":"bfl","model":"flux-pro-1.1"}""",
        ["model-training"] = """{"images_url":"https://example.com/training-images.zip","destination":"aiserver/trained","trigger_word":"TOK","steps":1000}""",
        ["model-training (bfl)"] = """{"images_url":"https://example.com/training-images.zip","provider":"bfl","mode":"character","trigger_word":"TOK"}""",
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().Any(n => n.EndpointName == "SubmitJob")
            && operation.RequestBody?.Content is { } content
            && content.TryGetValue("application/json", out var json))
        {
            json.Examples ??= new Dictionary<string, IOpenApiExample>(StringComparer.Ordinal);
            foreach (var (kind, body) in Examples)
            {
                json.Examples[kind] = new OpenApiExample { Summary = "POST /v1/jobs/" + kind.Split(' ')[0], Value = JsonNode.Parse(body) };
            }
        }

        return Task.CompletedTask;
    }
}
