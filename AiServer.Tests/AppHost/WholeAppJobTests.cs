using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AiServer.Tests.Jobs;
using Aspire.Hosting.Testing;

namespace AiServer.Tests.AppHost;

/// <summary>Job completion through the whole app as <c>./run.sh</c> starts it: provider webhooks through DCP's proxy, a signed client webhook, the Supabase record.</summary>
[Collection(WholeAppCollection.Name)]
public sealed class WholeAppJobTests(WholeAppFixture app)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task JobWithWebhook_ReachesTheLocalReceiverSigned_AndItsSupabaseRowsShowEveryState()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await app.WaitHealthyAsync(TimeSpan.FromMinutes(1));
        using var receiver = new WebhookReceiver(app.ReceiverPort, failuresPerMessage: 0);
        using var api = app.App.CreateHttpClient("api");
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", app.ApiKey);
        var secret = (await api.GetFromJsonAsync<JsonObject>("/v1/webhooks/secret", ct))!["secret"]!.GetValue<string>();

        // Act: an image on Replicate (emulated), which completes through the emulator's webhook to the api.
        using var submitted = await api.PostAsJsonAsync("/v1/jobs/image-generation", new JsonObject { ["prompt"] = "a lighthouse", ["webhook"] = receiver.Url }, ct);
        var body = await submitted.Content.ReadAsStringAsync(ct);
        Assert.True(submitted.StatusCode == System.Net.HttpStatusCode.Accepted, $"submit answered {(int)submitted.StatusCode}: {body}");
        var id = JsonNode.Parse(body)!["id"]!.GetValue<string>();
        await app.WaitUntilAsync(
            () => receiver.Requests.Select(r => JsonNode.Parse(r.Body)!["type"]!.GetValue<string>()).Distinct().Count() == 2,
            Timeout,
            $"job {id}'s job.started and job.succeeded webhooks at the local receiver");

        // Assert: every event signed with the key's secret; Supabase holds every state of the job, in order.
        var received = receiver.Requests.ToArray();
        Assert.Equal(["job.started", "job.succeeded"], received.Select(r => JsonNode.Parse(r.Body)!["type"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray());
        Assert.All(received, r => Assert.True(StandardWebhooksReference.Verify(secret, r.Id, r.Timestamp, r.Body, r.Signature, r.At), $"{r.Id} is not signed with the key's secret"));
        using var providers = app.App.CreateHttpClient("providers");
        providers.DefaultRequestHeaders.TryAddWithoutValidation("apikey", "emulator-key");
        providers.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "emulator-key");
        JsonArray events = [];
        await app.WaitUntilAsync(
            async () =>
            {
                using var response = await providers.GetAsync($"/supabase/rest/v1/ai_job_events?job_id=eq.{id}&order=version.asc", ct);
                events = response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!.AsArray() : [];
                return events.Any(e => e!["status"]!.GetValue<string>() == "succeeded");
            },
            Timeout,
            $"the Supabase rows of {id} to reach succeeded");
        var statuses = events.Select(e => e!["status"]!.GetValue<string>()).ToArray();
        Assert.Equal("queued", statuses[0]);
        Assert.Contains("running", statuses);
        Assert.Equal("succeeded", statuses[^1]);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(v => (long)v), events.Select(e => e!["version"]!.GetValue<long>()));
    }
}
