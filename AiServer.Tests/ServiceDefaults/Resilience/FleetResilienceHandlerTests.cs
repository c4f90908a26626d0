using System.Net;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace AiServer.Tests.ServiceDefaults.Resilience;

/// <summary>
/// The provider clients' pipeline as <c>AddFleetResilienceHandler</c> wires it (Microsoft.Extensions.Http.Resilience's
/// handler with the fleet breaker), through a real <see cref="IHttpClientFactory"/> with a stub transport.
/// </summary>
public sealed class FleetResilienceHandlerTests : IDisposable
{
    private const string ClientName = "provider";

    private readonly TimerTrackingFakeTimeProvider _time = new();
    private readonly List<HttpRequestMessage> _sent = [];
    private ServiceProvider? _services;
    private Func<int, HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> _respond =
        static (_, _, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));

    public void Dispose() => _services?.Dispose();

    /// <summary>A host with one provider client on a fresh breaker; returns that breaker (from the registry the pipeline uses).</summary>
    private FleetCircuitBreaker CreateBreaker(int failureThreshold = 3, int recoverySeconds = 10, int successThreshold = 2, RetryPreset preset = RetryPreset.ExternalApi)
    {
        var name = BreakerTestHelpers.UniqueName();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton<TimeProvider>(_time);
        services.AddFakeLogging();
        services.AddHttpClient(ClientName, c => c.BaseAddress = new Uri("http://provider.test/"))
            .AddFleetResilienceHandler(name, preset)
            .ConfigurePrimaryHttpMessageHandler(() => new AsyncStubHandler(async (request, ct) =>
            {
                int n;
                lock (_sent)
                {
                    _sent.Add(request);
                    n = _sent.Count;
                }

                return await _respond(n, request, ct);
            }));
        services.Configure<CircuitBreakerOptions>(name, o =>
        {
            o.FailureThreshold = failureThreshold;
            o.RecoveryTimeout = TimeSpan.FromSeconds(recoverySeconds);
            o.MonitoringPeriod = TimeSpan.FromSeconds(30);
            o.SuccessThreshold = successThreshold;
            o.HalfOpenMaxProbes = 1;
        });
        _services = services.BuildServiceProvider();
        return _services.GetRequiredService<CircuitBreakerRegistry>().GetFleet(name);
    }

    private FakeLogCollector Logs => (_services ?? throw new InvalidOperationException("CreateBreaker first.")).GetFakeLogCollector();

    private HttpClient CreateClient(Func<int, HttpRequestMessage, HttpResponseMessage> respond)
    {
        _respond = (n, request, _) => Task.FromResult(respond(n, request));
        return CreateClient();
    }

    private HttpClient CreateClient() =>
        (_services ?? throw new InvalidOperationException("CreateBreaker first.")).GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);

    private Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(method, "v1/predictions") { Content = method == HttpMethod.Get ? null : new StringContent("{}") };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return _time.DriveAsync(client.SendAsync(request, TestContext.Current.CancellationToken), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task SendAsync_Get503_RetriedAndEveryAttemptCounts()
    {
        var breaker = CreateBreaker(failureThreshold: 3);
        using var client = CreateClient((_, _) => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));

        using var response = await SendAsync(client, HttpMethod.Get);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(3, _sent.Count);
        Assert.Equal(3, breaker.GetStats().Failures);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public async Task SendAsync_Get408ThenSuccess_CountsTheTimeoutAndReturnsSuccess()
    {
        var breaker = CreateBreaker(failureThreshold: 5);
        using var client = CreateClient((n, _) => new HttpResponseMessage(n == 1 ? HttpStatusCode.RequestTimeout : HttpStatusCode.OK));

        using var response = await SendAsync(client, HttpMethod.Get);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, _sent.Count);
        Assert.Equal(1, breaker.GetStats().Failures);
        Assert.Equal("HTTP 408", breaker.GetStats().LastFailureReason);
    }

    [Theory]
    [InlineData("list-models", "list-models")]
    [InlineData(null, "{breaker} GET")]
    public async Task SendAsync_RetriedCall_RetryLogCarriesTheOperationName(string? operation, string expected)
    {
        var breaker = CreateBreaker(failureThreshold: 5);
        using var client = CreateClient((n, _) => new HttpResponseMessage(n == 1 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK));
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        if (operation is not null)
        {
            request.Options.Set(FleetHttpRequestOptions.OperationKey, operation);
        }

        using var response = await _time.DriveAsync(client.SendAsync(request, TestContext.Current.CancellationToken), TimeSpan.FromSeconds(5));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var retry = Assert.Single(Logs.GetSnapshot(), r => r.Id.Id == 4010);
        Assert.Equal("AiServer.Resilience.Http." + ClientName, retry.Category);
        Assert.StartsWith($"Retry 1 of operation {expected.Replace("{breaker}", breaker.Name, StringComparison.Ordinal)} (externalAPI)", retry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_Get404_NotRetriedNotCounted()
    {
        var breaker = CreateBreaker(failureThreshold: 1);
        using var client = CreateClient((_, _) => new HttpResponseMessage(HttpStatusCode.NotFound));

        using var response = await SendAsync(client, HttpMethod.Get);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Single(_sent);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public async Task SendAsync_429_StartsCooldownWithoutCountingAndNextCallWaitsForIt()
    {
        var breaker = CreateBreaker(failureThreshold: 1);
        using var client = CreateClient((n, _) =>
        {
            var response = new HttpResponseMessage(n == 1 ? HttpStatusCode.TooManyRequests : HttpStatusCode.OK);
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(4));
            return response;
        });

        using var throttled = await SendAsync(client, HttpMethod.Post);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Single(_sent); // a POST without Idempotency-Key is not repeated after a 429
        Assert.Equal(0, breaker.GetStats().Failures);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(_time.GetUtcNow().AddSeconds(4), breaker.GetStats().CooldownUntil);
        var before = _time.GetUtcNow();

        using var next = await SendAsync(client, HttpMethod.Post);

        // Rejected by the cool-down (never sent, so safe to retry), then sent once it ended.
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(2, _sent.Count);
        Assert.True(_time.GetUtcNow() - before >= TimeSpan.FromSeconds(4), "the second call must wait for the cool-down");
        Assert.Equal(1, breaker.GetStats().Rejections);
    }

    [Fact]
    public async Task SendAsync_429BetweenFailures_NeitherResetsNorAddsToTheFailureCount()
    {
        var breaker = CreateBreaker(failureThreshold: 2);
        using var client = CreateClient((n, _) => new HttpResponseMessage(n == 2 ? HttpStatusCode.TooManyRequests : HttpStatusCode.ServiceUnavailable));

        using var first = await SendAsync(client, HttpMethod.Post);
        using var throttled = await SendAsync(client, HttpMethod.Post);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal(1, breaker.GetStats().ConsecutiveFailures);
        Assert.Equal(0, breaker.GetStats().Successes);
        using var third = await SendAsync(client, HttpMethod.Post); // waits for the cool-down, then 503

        Assert.Equal(3, _sent.Count);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public async Task SendAsync_HalfOpenProbesThrottled_DoNotCloseTheCircuit()
    {
        var breaker = CreateBreaker(failureThreshold: 1, recoverySeconds: 10, successThreshold: 2);
        breaker.Fail();
        _time.Advance(TimeSpan.FromSeconds(10));
        using var client = CreateClient((_, _) => new HttpResponseMessage(HttpStatusCode.TooManyRequests));

        using var first = await SendAsync(client, HttpMethod.Post);
        using var second = await SendAsync(client, HttpMethod.Post);

        Assert.Equal(2, _sent.Count);
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.Equal(0, breaker.GetStats().Successes);
    }

    [Theory]
    [InlineData(RetryPreset.Database)]
    [InlineData(RetryPreset.ExternalApi)]
    public async Task SendAsync_Get429WithoutRetryAfter_RetryWaitsForTheCooldownItStarted(RetryPreset preset)
    {
        var breaker = CreateBreaker(preset: preset);
        var sentAt = new List<DateTimeOffset>();
        using var client = CreateClient((n, _) =>
        {
            sentAt.Add(_time.GetUtcNow());
            return new HttpResponseMessage(n == 1 ? HttpStatusCode.TooManyRequests : HttpStatusCode.OK);
        });

        using var response = await SendAsync(client, HttpMethod.Get);

        // The second attempt really reaches the provider instead of being turned away by our own cool-down.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, sentAt.Count);
        Assert.True(sentAt[1] - sentAt[0] >= new FleetHttpResilienceOptions().DefaultThrottleCooldown, "the retry must not start before the cool-down ends");
        Assert.Equal(0, breaker.GetStats().Rejections);
    }

    [Fact]
    public async Task SendAsync_PostWithoutIdempotencyKey503_NotRetriedBecauseItMayHaveBeenSent()
    {
        var breaker = CreateBreaker(failureThreshold: 5);
        using var client = CreateClient((_, _) => new HttpResponseMessage(HttpStatusCode.BadGateway));

        using var response = await SendAsync(client, HttpMethod.Post);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Single(_sent);
        Assert.Equal(1, breaker.GetStats().Failures);
    }

    [Fact]
    public async Task SendAsync_PostWithIdempotencyKey503_Retried()
    {
        var breaker = CreateBreaker(failureThreshold: 5);
        using var client = CreateClient((n, _) => new HttpResponseMessage(n < 3 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.Created));

        using var response = await SendAsync(client, HttpMethod.Post, idempotencyKey: "job-42");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(3, _sent.Count);
    }

    [Fact]
    public async Task SendAsync_PostConnectionRefused_RetriedBecauseNeverSent()
    {
        var breaker = CreateBreaker(failureThreshold: 5);
        using var client = CreateClient((n, _) => n == 1
            ? throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused")
            : new HttpResponseMessage(HttpStatusCode.Created));

        using var response = await SendAsync(client, HttpMethod.Post);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(2, _sent.Count);
        Assert.Equal(1, breaker.GetStats().Failures);
    }

    [Fact]
    public async Task SendAsync_PostResponseLost_NotRetried()
    {
        var breaker = CreateBreaker(failureThreshold: 5);
        using var client = CreateClient((_, _) => throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely"));

        await Assert.ThrowsAsync<HttpRequestException>(() => SendAsync(client, HttpMethod.Post));

        Assert.Single(_sent);
    }

    [Fact]
    public async Task SendAsync_OpenBreaker_RejectsWithoutSending()
    {
        var breaker = CreateBreaker(failureThreshold: 1);
        await breaker.ForceOpenAsync("isolated", TestContext.Current.CancellationToken);
        using var client = CreateClient((_, _) => new HttpResponseMessage(HttpStatusCode.OK));

        var error = await Assert.ThrowsAsync<CircuitBreakerRejectedException>(() => SendAsync(client, HttpMethod.Get));

        Assert.Equal(RejectionReason.ForcedOpen, error.Reason);
        Assert.Empty(_sent);
    }

    [Fact]
    public async Task SendAsync_AttemptTimesOut_CountsAsFailureAndPostIsNotRepeated()
    {
        var breaker = CreateBreaker(failureThreshold: 5);
        _respond = async (_, _, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(20), _time, ct);
            return new HttpResponseMessage(HttpStatusCode.OK);
        };
        using var client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/trainings") { Content = new StringContent("{}") };

        await Assert.ThrowsAsync<Polly.Timeout.TimeoutRejectedException>(() =>
            _time.DriveAsync(client.SendAsync(request, TestContext.Current.CancellationToken), TimeSpan.FromSeconds(11)));

        Assert.Single(_sent);
        Assert.Equal(1, breaker.GetStats().Failures);
        Assert.Equal("timeout", breaker.GetStats().LastFailureReason);
    }

    [Fact]
    public async Task SendAsync_NonSeekableStreamBody503_ReturnsTheProviderAnswerInsteadOfRetrying()
    {
        var breaker = CreateBreaker(failureThreshold: 5);
        _respond = async (_, request, ct) =>
        {
            await request.Content!.CopyToAsync(Stream.Null, ct); // what a real handler does: reads the body
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        };
        using var client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, "v1/files/a") { Content = new StreamContent(new ForwardOnlyStream([1, 2, 3])) };

        using var response = await _time.DriveAsync(client.SendAsync(request, TestContext.Current.CancellationToken), TimeSpan.FromSeconds(5));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Single(_sent);
        Assert.Equal(1, breaker.GetStats().Failures);
    }

    [Fact]
    public void IsReplayable_ContentKinds()
    {
        Assert.True(FleetHttpPipeline.IsReplayable(null));
        Assert.True(FleetHttpPipeline.IsReplayable(new StringContent("{}")));
        Assert.True(FleetHttpPipeline.IsReplayable(System.Net.Http.Json.JsonContent.Create(new { a = 1 })));
        Assert.True(FleetHttpPipeline.IsReplayable(new MultipartFormDataContent { new ByteArrayContent([1]) }));
        Assert.False(FleetHttpPipeline.IsReplayable(new StreamContent(new ForwardOnlyStream([1]))));
        Assert.False(FleetHttpPipeline.IsReplayable(new MultipartFormDataContent { new StreamContent(new ForwardOnlyStream([1])) }));
    }

    /// <summary>A body that can be read once (a network or pipe stream).</summary>
    private sealed class ForwardOnlyStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    }

    private sealed class AsyncStubHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            respond(request, cancellationToken);
    }
}
