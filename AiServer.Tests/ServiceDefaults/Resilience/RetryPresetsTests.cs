using AiServer.ServiceDefaults.Resilience;
using Polly;

namespace AiServer.Tests.ServiceDefaults.Resilience;

public sealed class RetryPresetsTests
{
    [Theory]
    [InlineData(RetryPreset.ExternalApi, 1, 1000)]
    [InlineData(RetryPreset.ExternalApi, 2, 2000)]
    [InlineData(RetryPreset.ExternalApi, 4, 8000)]
    [InlineData(RetryPreset.ExternalApi, 5, 10000)]
    [InlineData(RetryPreset.Database, 1, 500)]
    [InlineData(RetryPreset.Database, 3, 2000)]
    [InlineData(RetryPreset.Critical, 1, 2000)]
    [InlineData(RetryPreset.Critical, 2, 3000)]
    [InlineData(RetryPreset.Critical, 3, 4500)]
    [InlineData(RetryPreset.Critical, 10, 30000)]
    public void ComputeDelay_WithoutJitterDraw_IsCappedExponential(RetryPreset preset, int retry, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), RetryPresets.ComputeDelay(RetryPresetOptions.For(preset), retry, random: 1.0));

    [Fact]
    public void ComputeDelay_Jitter_StaysWithinHalfToFull()
    {
        var preset = RetryPresetOptions.For(RetryPreset.ExternalApi);

        Assert.Equal(TimeSpan.FromMilliseconds(1000), RetryPresets.ComputeDelay(preset, 2, random: 0.0));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), RetryPresets.ComputeDelay(preset, 2, random: 0.5));
        Assert.Equal(TimeSpan.FromMilliseconds(500), RetryPresets.ComputeDelay(RetryPresetOptions.For(RetryPreset.Database), 1, random: 0.0));
    }

    [Fact]
    public async Task ExecuteAsync_ExternalApiAlwaysFailing_MakesThreeAttemptsWithGrowingDelays()
    {
        var time = new TimerTrackingFakeTimeProvider();
        var pipeline = RetryPresets.CreatePipeline(RetryPreset.ExternalApi, time);
        var attempts = new List<DateTimeOffset>();

        var task = RetryPresets.ExecuteAsync<int>(pipeline, _ => { attempts.Add(time.GetUtcNow()); throw new HttpRequestException("down"); }, "fetch-user-data", TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<HttpRequestException>(() => time.DriveAsync(task, TimeSpan.FromSeconds(31)));

        Assert.Equal(3, attempts.Count);
        var first = attempts[1] - attempts[0];
        var second = attempts[2] - attempts[1];
        Assert.InRange(first, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(1000));
        Assert.InRange(second, TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(2000));
    }

    [Fact]
    public async Task ExecuteAsync_DatabaseSucceedsOnSecondAttempt_ReturnsResultAfterExactDelay()
    {
        var time = new TimerTrackingFakeTimeProvider();
        var pipeline = RetryPresets.CreatePipeline(RetryPreset.Database, time);
        var attempts = new List<DateTimeOffset>();

        var task = RetryPresets.ExecuteAsync(pipeline, _ =>
        {
            attempts.Add(time.GetUtcNow());
            return attempts.Count == 1 ? Task.FromException<string>(new TimeoutException()) : Task.FromResult("ok");
        }, "load-user", TestContext.Current.CancellationToken);

        Assert.Equal("ok", await time.DriveAsync(task, TimeSpan.FromSeconds(31)));
        Assert.Equal(TimeSpan.FromMilliseconds(500), attempts[1] - attempts[0]);
    }

    [Fact]
    public async Task ExecuteAsync_BreakerRejectionWithRetryAfter_WaitsForIt()
    {
        var time = new TimerTrackingFakeTimeProvider();
        var pipeline = RetryPresets.CreatePipeline(RetryPreset.Critical, time);
        var attempts = new List<DateTimeOffset>();

        var task = RetryPresets.ExecuteAsync(pipeline, _ =>
        {
            attempts.Add(time.GetUtcNow());
            return attempts.Count == 1
                ? Task.FromException<int>(new CircuitBreakerRejectedException("replicate", RejectionReason.Open, TimeSpan.FromSeconds(7)))
                : Task.FromResult(1);
        }, "process-payment", TestContext.Current.CancellationToken);

        Assert.Equal(1, await time.DriveAsync(task, TimeSpan.FromSeconds(31)));
        Assert.InRange(attempts[1] - attempts[0], TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(7));
    }

    [Fact]
    public async Task ExecuteAsync_RetryAfterLongerThanMaxDelay_GivesUpAtOnce()
    {
        var time = new TimerTrackingFakeTimeProvider();
        var pipeline = RetryPresets.CreatePipeline(RetryPreset.ExternalApi, time);
        var attempts = 0;

        var task = RetryPresets.ExecuteAsync<int>(pipeline, _ =>
        {
            attempts++;
            throw new CircuitBreakerRejectedException("replicate", RejectionReason.Open, TimeSpan.FromSeconds(30));
        }, "fetch", TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<CircuitBreakerRejectedException>(() => task);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task RetryExternalApiAsync_Succeeds_ReturnsResult() =>
        Assert.Equal(5, await RetryPresets.RetryExternalApiAsync(_ => Task.FromResult(5), "fetch-user-data", TestContext.Current.CancellationToken));

    [Fact]
    public async Task RetryCriticalAsync_CancelledByCaller_DoesNotRetry()
    {
        using var cts = new CancellationTokenSource();
        var attempts = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RetryPresets.RetryCriticalAsync<int>(async ct =>
        {
            attempts++;
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return 0;
        }, "process-payment", cts.Token));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task OnRetry_OperationName_ReachesMetrics()
    {
        var time = new TimerTrackingFakeTimeProvider();
        var pipeline = RetryPresets.CreatePipeline(RetryPreset.Database, time);
        var operation = BreakerTestHelpers.UniqueName("op");
        var seen = new List<string>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "AiServer.Resilience" && instrument.Name == "retry.attempts")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "operation" && (string?)tag.Value == operation)
                {
                    lock (seen)
                    {
                        seen.Add(operation);
                    }
                }
            }
        });
        listener.Start();

        var task = RetryPresets.ExecuteAsync<int>(pipeline, _ => throw new TimeoutException(), operation, TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<TimeoutException>(() => time.DriveAsync(task, TimeSpan.FromSeconds(31)));

        Assert.Single(seen);
    }
}
