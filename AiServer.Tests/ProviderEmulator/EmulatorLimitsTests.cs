using System.Net;

namespace AiServer.Tests.ProviderEmulator;

public sealed class EmulatorLimitsTests(LimitedEmulatorFixture emulator) : IClassFixture<LimitedEmulatorFixture>
{
    [Fact]
    public async Task RequestsPerMinute_ThirdRequestInWindow_GetsReplicates429WithRetryAfter()
    {
        using var client = emulator.Client("replicate");
        client.DefaultRequestHeaders.Authorization = new("Bearer", "r8_any");

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            last?.Dispose();
            last = await client.GetAsync("v1/account", TestContext.Current.CancellationToken);
            statuses.Add(last.StatusCode);
        }

        using (last)
        {
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
            Assert.NotNull(last!.Headers.RetryAfter?.Delta);
            Assert.Equal("0", last.Headers.GetValues("ratelimit-remaining").Single());
        }
    }

    [Fact]
    public async Task TextToSpeech_OverConcurrency_OneOfTwoOverlappingRequestsGets429()
    {
        using var client = emulator.Client("elevenlabs");
        client.DefaultRequestHeaders.Add("xi-api-key", "any");

        // Each synthesis holds the only slot for 2 s, so two requests sent together overlap.
        var calls = Enumerable.Range(0, 2)
            .Select(_ => client.PostJsonAsync("v1/text-to-speech/21m00Tcm4TlvDq8ikWAM", """{"text":"hi"}"""))
            .ToList();
        var responses = await Task.WhenAll(calls);

        try
        {
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests], responses.Select(r => r.StatusCode).Order());
            var refused = responses.Single(r => r.StatusCode == HttpStatusCode.TooManyRequests);
            Assert.Equal("too_many_concurrent_requests", (string?)(await refused.ReadObjectAsync())["detail"]!["status"]);
            Assert.Equal("1", refused.Headers.GetValues("maximum-concurrent-requests").Single());
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }
}
