using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AiServer.Tests.Infrastructure;
using Aspire.Hosting.Testing;

namespace AiServer.Tests.AppHost;

/// <summary>The README's job examples against the real AppHost: every kind through the api's proxied endpoint with the generated key.</summary>
[Collection(WholeAppCollection.Name)]
public sealed class WholeAppJobsTests(WholeAppFixture app)
{
    [Fact]
    public async Task Submit_EveryKindAsTheReadmeDoes_EachSucceedsOnItsPool()
    {
        // Arrange: the generated key, the api behind DCP's proxy, inputs from the emulator's /files.
        await app.WaitHealthyAsync(TimeSpan.FromMinutes(1));
        using var api = app.App.CreateHttpClient("api");
        api.Timeout = TimeSpan.FromSeconds(90);
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.ParameterAsync("api-key"));
        var files = app.App.GetEndpoint("providers", "http").ToString().TrimEnd('/') + "/files/uploads/demo/";
        var jobs = new Dictionary<string, string>
        {
            ["speech"] = """{"text":"Hello from AiServer.","voice_id":"21m00Tcm4TlvDq8ikWAM"}""",
            ["voice-clone"] = $$"""{"name":"Narrator","samples":["{{files}}sample.mp3"]}""",
            ["lip-sync"] = $$"""{"video_url":"{{files}}face.mp4","audio_url":"{{files}}speech.wav"}""",
            ["image-caption"] = $$"""{"image_url":"{{files}}photo.png"}""",
            ["image-generation"] = """{"prompt":"a lighthouse at dawn","provider":"bfl"}""",
            ["model-training"] = $$"""{"images_url":"{{files}}images.zip","destination":"aiserver/trained"}""",
        };

        // Act: all six at once, each waiting for its end on the server.
        var results = await Task.WhenAll(jobs.Select(async j =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs/" + j.Key) { Content = new StringContent(j.Value, Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Prefer", "wait=60");
            using var response = await api.SendAsync(request, TestContext.Current.CancellationToken);
            return (Kind: j.Key, Status: response.StatusCode, Body: await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }));

        // Assert
        foreach (var (kind, status, body) in results)
        {
            Assert.True(status == HttpStatusCode.OK, $"{kind}: {(int)status} {body}{Environment.NewLine}{app.Describe()}");
            var job = JsonNode.Parse(body)!;
            Assert.True(job["status"]!.GetValue<string>() == "succeeded", $"{kind}: {body}");
            if (job["output"]!["url"] is { } url)
            {
                using var output = await api.GetAsync(url.GetValue<string>(), TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.OK, output.StatusCode);
                Assert.True((await output.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Length > 0, $"{kind}: empty output");
            }
        }
    }
}
