using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.Jobs;

/// <summary>The job API end to end: every kind against the emulator, bad input, idempotency, isolation, cancel, events, OpenAPI.</summary>
[Collection("Jobs")]
public sealed class JobsApiTests(JobsFixture app)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("speech", """{"text":"Hello from the test.","voice_id":"21m00Tcm4TlvDq8ikWAM"}""", "audio/mpeg")]
    [InlineData("voice-clone", """{"name":"Test voice","samples":["{files}/sample.mp3"],"labels":{"accent":"none"}}""", null)]
    [InlineData("lip-sync", """{"video_url":"{files}/face.mp4","audio_url":"{files}/speech.wav"}""", "video/mp4")]
    [InlineData("image-caption", """{"image_url":"{files}/photo.png","caption_length":"short"}""", null)]
    [InlineData("image-generation", """{"prompt":"a lighthouse at dawn","width":512,"height":512}""", "image/")]
    [InlineData("image-generation", """{"prompt":"a lighthouse at dawn","provider":"bfl"}""", "image/")]
    [InlineData("model-training", """{"images_url":"{files}/images.zip","destination":"aiserver/trained","steps":100}""", "application/")]
    [InlineData("model-training", """{"images_url":"{files}/images.zip","provider":"bfl","mode":"character"}""", null)]
    public async Task Submit_EveryKind_SucceedsAndServesItsOutput(string kind, string body, string? fileType)
    {
        // Arrange
        var json = body.Replace("{files}", app.FileUrl(string.Empty).TrimEnd('/'), StringComparison.Ordinal);

        // Act
        var id = await JobsFixture.SubmitOkAsync(app.ClientA, kind, json);
        var job = await app.WaitForStatusAsync(app.ClientA, id, "succeeded", JobTimeout);

        // Assert
        Assert.Equal(kind, job["kind"]!.GetValue<string>());
        Assert.NotNull(job["completed_at"]);
        var output = job["output"]!.AsObject();
        if (fileType is null)
        {
            Assert.True(output["data"] is JsonObject { Count: > 0 }, $"{kind} should return data: {job.ToJsonString()}");
            using var none = await app.ClientA.GetAsync($"v1/jobs/{id}/output", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
            return;
        }

        Assert.Equal($"/v1/jobs/{id}/output", output["url"]!.GetValue<string>());
        using var file = await app.ClientA.GetAsync($"v1/jobs/{id}/output", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.StartsWith(fileType, file.Content.Headers.ContentType!.MediaType!, StringComparison.Ordinal);
        var bytes = await file.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        Assert.Equal(output["size"]!.GetValue<long>(), bytes.Length);

        using var range = new HttpRequestMessage(HttpMethod.Get, $"v1/jobs/{id}/output");
        range.Headers.Range = new RangeHeaderValue(0, 3);
        using var partial = await app.ClientA.SendAsync(range, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(bytes.AsSpan(0, 4).ToArray(), await partial.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Submit_PreferWait_AnswersTheFinishedJobWith200()
    {
        using var response = await JobsFixture.SubmitAsync(app.ClientA, "image-caption", $$"""{"image_url":"{{app.FileUrl("photo.png")}}"}""", prefer: "wait=30");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("succeeded", body["status"]!.GetValue<string>());
        Assert.Equal("wait=30", response.Headers.GetValues("Preference-Applied").Single());
        Assert.False(string.IsNullOrEmpty(body["output"]!["data"]!["caption"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("speech", "{\"text\":", "body")]
    [InlineData("speech", "[1,2]", "body")]
    [InlineData("speech", """{"text":42,"voice_id":"v1"}""", "text")]
    [InlineData("speech", """{"voice_id":"v1"}""", "text")]
    [InlineData("speech", """{"text":"hi","voice_id":"../../etc"}""", "voice_id")]
    [InlineData("speech", """{"text":"hi","voice_id":"v1","txt":"typo"}""", "txt")]
    [InlineData("speech", """{"text":"hi","voice_id":"v1","output_format":"flac"}""", "output_format")]
    [InlineData("speech", """{"text":"hi","voice_id":"v1","provider":"replicate"}""", "provider")]
    [InlineData("image-generation", """{"prompt":"x","width":"wide"}""", "width")]
    [InlineData("image-generation", """{"prompt":"x","width":100000}""", "width")]
    [InlineData("image-generation", """{"prompt":"x","provider":"bfl","model":"not-flux"}""", "model")]
    [InlineData("model-training", """{"images_url":"https://example.com/a.zip"}""", "destination")]
    [InlineData("voice-clone", """{"name":"n","samples":[]}""", "samples")]
    [InlineData("lip-sync", """{"video_url":"ftp://example.com/a.mp4","audio_url":"https://example.com/a.mp3"}""", "video_url")]
    [InlineData("lip-sync", """{"video_url":"http://169.254.169.254/latest/meta-data","audio_url":"https://example.com/a.mp3"}""", "video_url")]
    [InlineData("image-caption", """{"image_url":"http://127.0.0.1:{redisPort}/x.png"}""", "image_url")]
    [InlineData("image-caption", """{"image_url":"http://user:pass@example.com/x.png"}""", "image_url")]
    public async Task Submit_BadInput_Answers400NamingTheField(string kind, string body, string field)
    {
        using var response = await JobsFixture.SubmitAsync(app.ClientA, kind, body.Replace("{redisPort}", app.Redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonNode.Parse(text)!["errors"]![field] is JsonArray { Count: > 0 }, $"the problem should name '{field}': {text}");
    }

    [Fact]
    public async Task Submit_OtherBadRequests_AnswerClear4xx()
    {
        // Unknown kind
        using (var unknown = await JobsFixture.SubmitAsync(app.ClientA, "telepathy", "{}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        // A body over Jobs:MaxRequestBytes (1 MiB)
        using (var huge = await JobsFixture.SubmitAsync(app.ClientA, "speech", $$"""{"text":"{{new string('a', 1_100_000)}}","voice_id":"v1"}"""))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        }

        // Not JSON
        using (var form = await app.ClientA.PostAsync("v1/jobs/speech", new StringContent("text=hi", Encoding.UTF8, "application/x-www-form-urlencoded"), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        }

        // A malformed Idempotency-Key and Prefer
        using (var key = await JobsFixture.SubmitAsync(app.ClientA, "speech", """{"text":"hi","voice_id":"v1"}""", idempotencyKey: new string('k', 300)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, key.StatusCode);
        }

        using (var prefer = await JobsFixture.SubmitAsync(app.ClientA, "speech", """{"text":"hi","voice_id":"v1"}""", prefer: "wait=soon"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, prefer.StatusCode);
        }

        // Listing with bad filters, a malformed id, a bad Last-Event-ID
        foreach (var path in new[] { "v1/jobs?kind=nope", "v1/jobs?status=done", "v1/jobs?limit=0", "v1/jobs?cursor=%27;DROP" })
        {
            using var list = await app.ClientA.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.True(list.StatusCode == HttpStatusCode.BadRequest, $"{path} answered {(int)list.StatusCode}");
        }

        using (var malformed = await app.ClientA.GetAsync("v1/jobs/..%2F..%2Fetc", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);
        }
    }

    [Fact]
    public async Task Submit_WithoutOrWithWrongKey_Answers401()
    {
        using var anonymous = await JobsFixture.SubmitAsync(app.Anonymous, "speech", """{"text":"hi","voice_id":"v1"}""");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);

        using var wrong = app.Client("not-a-key-of-this-server-0000");
        using var refused = await wrong.GetAsync("v1/jobs", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        // X-API-Key works as well as the bearer header.
        using var header = new HttpClient { BaseAddress = app.Api, Timeout = TimeSpan.FromSeconds(30) };
        header.DefaultRequestHeaders.Add("X-API-Key", JobsFixture.KeyA);
        using var ok = await header.GetAsync("v1/jobs", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task RedisUnresponsive_JobRoutesAnswer503WithRetryAfter_NotA500()
    {
        var id = await JobsFixture.SubmitOkAsync(app.ClientA, "image-caption", $$"""{"image_url":"{{app.FileUrl("photo.png")}}"}""");
        app.Redis.Pause();
        try
        {
            using var get = await app.ClientA.GetAsync("v1/jobs/" + id, TestContext.Current.CancellationToken);
            using var submit = await JobsFixture.SubmitAsync(app.ClientA, "speech", """{"text":"nobody stores me","voice_id":"v1"}""");

            foreach (var response in new[] { get, submit })
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
            }
        }
        finally
        {
            app.Redis.Resume();
        }

        await app.WaitForStatusAsync(app.ClientA, id, "succeeded", JobTimeout);
    }

    [Fact]
    public async Task Jobs_OfAnotherKey_AreInvisible()
    {
        var id = await JobsFixture.SubmitOkAsync(app.ClientA, "image-caption", $$"""{"image_url":"{{app.FileUrl("photo.png")}}"}""");

        using (var foreign = await app.ClientB.GetAsync("v1/jobs/" + id, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        }

        using (var cancel = await app.ClientB.PostAsync($"v1/jobs/{id}/cancel", null, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        }

        var listB = JsonNode.Parse(await app.ClientB.GetStringAsync("v1/jobs?limit=100", TestContext.Current.CancellationToken))!["data"]!.AsArray();
        Assert.DoesNotContain(listB, j => j!["id"]!.GetValue<string>() == id);
        var listA = JsonNode.Parse(await app.ClientA.GetStringAsync("v1/jobs?kind=image-caption&limit=100", TestContext.Current.CancellationToken))!["data"]!.AsArray();
        Assert.Contains(listA, j => j!["id"]!.GetValue<string>() == id);
        Assert.All(listA, j => Assert.Equal("image-caption", j!["kind"]!.GetValue<string>()));
    }

    [Fact]
    public async Task List_PagesThroughEveryJobNewestFirst()
    {
        using var client = app.Client(JobsFixture.KeyB);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await JobsFixture.SubmitOkAsync(client, "image-caption", $$"""{"image_url":"{{app.FileUrl("photo.png")}}","caption_type":"Descriptive","caption_length":"{{i + 10}}"}"""));
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = JsonNode.Parse(await client.GetStringAsync("v1/jobs?kind=image-caption&limit=2" + (cursor is null ? string.Empty : "&cursor=" + cursor), TestContext.Current.CancellationToken))!;
            seen.AddRange(page["data"]!.AsArray().Select(j => j!["id"]!.GetValue<string>()));
            cursor = page["next_cursor"]?.GetValue<string>();
        }
        while (cursor is not null && seen.Count < 100);

        var mine = seen.Where(ids.Contains).ToList();
        Assert.Equal(Enumerable.Reverse(ids), mine);
    }

    [Fact]
    public async Task Submit_SameIdempotencyKey_SameBodyReturnsTheJob_OtherBodyIs422()
    {
        var key = "order-" + Guid.NewGuid().ToString("N");
        var body = $$"""{"image_url":"{{app.FileUrl("photo.png")}}"}""";
        using var first = await JobsFixture.SubmitAsync(app.ClientA, "image-caption", body, idempotencyKey: key);
        using var again = await JobsFixture.SubmitAsync(app.ClientA, "image-caption", body, idempotencyKey: key);
        using var other = await JobsFixture.SubmitAsync(app.ClientA, "image-caption", $$"""{"image_url":"{{app.FileUrl("other.png")}}"}""", idempotencyKey: key);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        var firstId = JsonNode.Parse(await first.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["id"]!.GetValue<string>();
        Assert.Equal(firstId, JsonNode.Parse(await again.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["id"]!.GetValue<string>());
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        Assert.Equal((HttpStatusCode)422, other.StatusCode);

        // The key belongs to the API key: another client using it gets a job of its own.
        using var otherClient = await JobsFixture.SubmitAsync(app.ClientB, "image-caption", body, idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Accepted, otherClient.StatusCode);
        Assert.NotEqual(firstId, JsonNode.Parse(await otherClient.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cancel_RunningTraining_CancelsHereAndAtReplicate()
    {
        var id = await JobsFixture.SubmitOkAsync(app.ClientA, "model-training", $$"""{"images_url":"{{app.FileUrl("images.zip")}}","destination":"aiserver/trained"}""");
        var running = await WaitForProviderJobAsync(id);

        using var cancel = await app.ClientA.PostAsync($"v1/jobs/{id}/cancel", null, TestContext.Current.CancellationToken);
        var canceled = JsonNode.Parse(await cancel.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("canceled", canceled["status"]!.GetValue<string>());
        var trainingId = running["provider_job_id"]!.GetValue<string>();
        var requests = await app.Emulator.RequestsAsync("replicate");
        Assert.Contains(requests, r => r!["method"]!.GetValue<string>() == "POST" && r["path"]!.GetValue<string>().EndsWith($"/trainings/{trainingId}/cancel", StringComparison.Ordinal));

        // Canceling again is harmless; it stays canceled even after the provider's run would have ended.
        using var twice = await app.ClientA.PostAsync($"v1/jobs/{id}/cancel", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, twice.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        Assert.Equal("canceled", (await JobsFixture.GetJobAsync(app.ClientA, id))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cancel_FinishedJob_Answers409()
    {
        using var done = await JobsFixture.SubmitAsync(app.ClientA, "image-caption", $$"""{"image_url":"{{app.FileUrl("photo.png")}}"}""", prefer: "wait=30");
        var id = JsonNode.Parse(await done.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["id"]!.GetValue<string>();
        await app.WaitForStatusAsync(app.ClientA, id, "succeeded", JobTimeout);

        using var cancel = await app.ClientA.PostAsync($"v1/jobs/{id}/cancel", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);
    }

    [Fact]
    public async Task Events_StreamEveryStatusChange_AndResumeAfterLastEventId()
    {
        var id = await JobsFixture.SubmitOkAsync(app.ClientA, "image-generation", """{"prompt":"events"}""");

        var events = await ReadEventsAsync(id, lastEventId: null);

        Assert.Equal("queued", events[0].Status);
        Assert.Contains(events, e => e.Status == "running");
        Assert.Equal("succeeded", events[^1].Status);
        var resumed = await ReadEventsAsync(id, lastEventId: events[0].Id);
        Assert.Equal(events.Skip(1).Select(e => e.Id), resumed.Select(e => e.Id));
    }

    [Fact]
    public async Task OpenApi_DescribesTheJobRoutesWithAnExamplePerKind()
    {
        var document = JsonNode.Parse(await app.Anonymous.GetStringAsync("openapi/v1.json", TestContext.Current.CancellationToken))!;
        var submit = document["paths"]!["/v1/jobs/{kind}"]!["post"]!;
        var examples = submit["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();
        foreach (var kind in new[] { "speech", "voice-clone", "lip-sync", "image-caption", "image-generation", "model-training" })
        {
            Assert.True(examples.ContainsKey(kind), $"no example for {kind}: {examples.ToJsonString()}");
        }

        Assert.NotNull(document["paths"]!["/v1/jobs/{id}/events"]);
        using var reference = await app.Anonymous.GetAsync("scalar/v1", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
    }

    [Fact]
    public async Task Metrics_CountJobsAndSampleTheQueues_AndPassPromtool()
    {
        // Arrange: one finished job, so the api counted a submission and the workers a completion.
        using var done = await JobsFixture.SubmitAsync(app.ClientA, "image-caption", $$"""{"image_url":"{{app.FileUrl("photo.png")}}"}""", prefer: "wait=30");
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);

        // Act + Assert: the api exports submissions and the queue gauges (sampled every 5 s), the workers completions.
        string api = string.Empty, workers = string.Empty;
        await Wait.UntilAsync(
            async () =>
            {
                api = PrometheusScrape.Normalize(await app.Anonymous.GetStringAsync("metrics", TestContext.Current.CancellationToken));
                workers = PrometheusScrape.Normalize(await app.Anonymous.GetStringAsync(new Uri(app.WorkersUrl, "metrics"), TestContext.Current.CancellationToken));
                return api.Contains("jobs_queue_depth{kind=\"image-caption\"}", StringComparison.Ordinal)
                    && workers.Contains("jobs_completed_total{kind=\"image-caption\",outcome=\"succeeded\"}", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(30),
            () => $"the job metrics. api:{Environment.NewLine}{string.Join(Environment.NewLine, api.Split('\n').Where(l => l.Contains("job", StringComparison.Ordinal)))}{Environment.NewLine}workers:{Environment.NewLine}{string.Join(Environment.NewLine, workers.Split('\n').Where(l => l.Contains("job", StringComparison.Ordinal)))}");
        Assert.Contains("jobs_submitted_total{kind=\"image-caption\"}", api, StringComparison.Ordinal);
        Assert.Contains("jobs_queue_oldest_age_seconds{kind=\"speech\"}", api, StringComparison.Ordinal);
        Assert.Contains("jobs_dead_letters{kind=\"lip-sync\"}", api, StringComparison.Ordinal);
        Assert.Contains("job_duration_seconds_bucket{kind=\"image-caption\",le=\"1\"}", workers, StringComparison.Ordinal);
        Assert.Equal(string.Empty, await Promtool.LintMetricsAsync(await app.Anonymous.GetStringAsync("metrics", TestContext.Current.CancellationToken), TestContext.Current.CancellationToken));
        Assert.Equal(string.Empty, await Promtool.LintMetricsAsync(await app.Anonymous.GetStringAsync(new Uri(app.WorkersUrl, "metrics"), TestContext.Current.CancellationToken), TestContext.Current.CancellationToken));
    }

    private async Task<JsonObject> WaitForProviderJobAsync(string id)
    {
        JsonObject job = [];
        await Wait.UntilAsync(
            async () => (job = await JobsFixture.GetJobAsync(app.ClientA, id))["provider_job_id"] is not null,
            JobTimeout,
            () => $"job {id} to be submitted to its provider; last: {job.ToJsonString()}");
        return job;
    }

    private async Task<List<(string Id, string Status)>> ReadEventsAsync(string id, string? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/jobs/{id}/events");
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(JobTimeout);
        using var response = await app.ClientA.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<(string, string)>();
        await foreach (var item in System.Net.ServerSentEvents.SseParser.Create(await response.Content.ReadAsStreamAsync(timeout.Token)).EnumerateAsync(timeout.Token))
        {
            events.Add((item.EventId!, JsonNode.Parse(item.Data)!["status"]!.GetValue<string>()));
        }

        return events;
    }
}
