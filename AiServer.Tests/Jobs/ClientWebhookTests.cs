using System.Net.Http.Json;
using System.Net;
using System.Text.Json.Nodes;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.Jobs;

/// <summary>Outbound client webhooks: signed deliveries with retries, the delivery log, redelivery, the SSRF check.</summary>
[Collection("Jobs")]
public sealed class ClientWebhookTests(JobsFixture app)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task EndpointFailingTwiceThenSucceeding_GetsExactlyOneAcceptedDeliveryPerEvent_SignedWithStandardWebhooks()
    {
        // Arrange: the key's secret, and a receiver that answers 500 twice per message, then 200.
        var ct = TestContext.Current.CancellationToken;
        var secret = (await app.ClientA.GetFromJsonAsync<JsonObject>("v1/webhooks/secret", ct))!["secret"]!.GetValue<string>();
        using var receiver = new WebhookReceiver(app.ReceiverPort, failuresPerMessage: 2);

        // Act
        var id = await JobsFixture.SubmitOkAsync(app.ClientA, "speech", $$"""{"text":"tell me when","voice_id":"21m00Tcm4TlvDq8ikWAM","webhook":"{{receiver.Url}}","webhook_events_filter":["job.started","job.succeeded"]}""");
        await app.WaitForStatusAsync(app.ClientA, id, "succeeded", Timeout);
        JsonArray deliveries = [];
        await Wait.UntilAsync(
            async () =>
            {
                deliveries = (await app.ClientA.GetFromJsonAsync<JsonObject>($"v1/jobs/{id}/deliveries", ct))!["deliveries"]!.AsArray();
                return deliveries.Count == 2 && deliveries.All(d => d!["state"]!.GetValue<string>() == "delivered");
            },
            Timeout,
            () => $"both deliveries of {id} to be delivered; log: {deliveries.ToJsonString()}");

        // Assert: per event three attempts, one of them accepted, every one signed with the key's secret.
        Assert.Equal(["job.started", "job.succeeded"], deliveries.Select(d => d!["event"]!.GetValue<string>()).ToArray());
        Assert.All(deliveries, d => Assert.Equal(3, d!["attempts"]!.GetValue<int>()));
        var received = receiver.Requests.ToArray();
        Assert.Equal(6, received.Length);
        foreach (var message in received.GroupBy(r => r.Id))
        {
            Assert.Single(message, r => r.AnsweredStatus == 200);
            Assert.Equal(3, message.Count());
            Assert.Single(message.Select(r => System.Text.Encoding.UTF8.GetString(r.Body)).Select(b => JsonNode.Parse(b)!["type"]!.GetValue<string>()).Distinct());
        }

        Assert.All(received, r => Assert.True(StandardWebhooksReference.Verify(secret, r.Id, r.Timestamp, r.Body, r.Signature, r.At), $"delivery {r.Id} at {r.Timestamp} is not signed with the key's secret: {r.Signature}"));
        var succeeded = received.Where(r => r.AnsweredStatus == 200).Select(r => JsonNode.Parse(r.Body)!).Single(b => b["type"]!.GetValue<string>() == "job.succeeded");
        Assert.Equal(id, succeeded["data"]!["id"]!.GetValue<string>());
        Assert.Equal("succeeded", succeeded["data"]!["status"]!.GetValue<string>());
        Assert.Null(succeeded["data"]!["owner"]);

        // The names the alert rules use.
        var metrics = (await app.Anonymous.GetStringAsync("metrics", ct)).Split('\n');
        foreach (var outcome in new[] { "delivered", "retrying" })
        {
            Assert.Contains(metrics, l => l.StartsWith("webhook_deliveries_total{", StringComparison.Ordinal) && l.Contains($"outcome=\"{outcome}\"", StringComparison.Ordinal));
        }

        Assert.Contains(metrics, l => l.StartsWith("webhook_delivery_duration_seconds_bucket{", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Redeliver_SendsTheEventAgain_AndRotatedSecretSignsAlongsideTheOld()
    {
        // Arrange: a delivered job.succeeded.
        var ct = TestContext.Current.CancellationToken;
        var old = (await app.ClientB.GetFromJsonAsync<JsonObject>("v1/webhooks/secret", ct))!["secret"]!.GetValue<string>();
        using var receiver = new WebhookReceiver(app.ReceiverPort, failuresPerMessage: 0);
        var id = await JobsFixture.SubmitOkAsync(app.ClientB, "speech", $$"""{"text":"again","voice_id":"21m00Tcm4TlvDq8ikWAM","webhook":"{{receiver.Url}}","webhook_events_filter":["job.succeeded"]}""");
        await app.WaitForStatusAsync(app.ClientB, id, "succeeded", Timeout);
        await Wait.UntilAsync(() => receiver.Requests.Count == 1, Timeout, "the first delivery");
        using var rotated = await app.ClientB.PostAsync("v1/webhooks/secret/rotate", null, ct);
        var secret = JsonNode.Parse(await rotated.Content.ReadAsStringAsync(ct))!["secret"]!.GetValue<string>();
        var deliveryId = receiver.Requests.Single().Id;

        // Act
        using var redeliver = await app.ClientB.PostAsync($"v1/jobs/{id}/deliveries/{deliveryId}/redeliver", null, ct);

        // Assert
        Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
        await Wait.UntilAsync(() => receiver.Requests.Count == 2, Timeout, "the redelivery");
        var again = receiver.Requests.Last();
        Assert.Equal(deliveryId, again.Id);
        Assert.True(StandardWebhooksReference.Verify(secret, again.Id, again.Timestamp, again.Body, again.Signature, again.At), "signed with the new secret");
        Assert.True(StandardWebhooksReference.Verify(old, again.Id, again.Timestamp, again.Body, again.Signature, again.At), "and with the previous one during the grace period");
        using var foreign = await app.ClientA.GetAsync($"v1/jobs/{id}/deliveries", ct);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }

    [Theory]
    [InlineData("""{"text":"x","voice_id":"v","webhook":"http://169.254.169.254/latest"}""", "webhook")]
    [InlineData("""{"text":"x","voice_id":"v","webhook":"ftp://example.com/"}""", "webhook")]
    [InlineData("""{"text":"x","voice_id":"v","webhook":"https://example.com/","webhook_events_filter":["job.exploded"]}""", "webhook_events_filter")]
    public async Task Submit_WithBadWebhook_Is400NamingTheField(string body, string field)
    {
        // Act
        using var response = await JobsFixture.SubmitAsync(app.ClientA, "speech", body);

        // Assert
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(problem["errors"]![field]);
    }
}
