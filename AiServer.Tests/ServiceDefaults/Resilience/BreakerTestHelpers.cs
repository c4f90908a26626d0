using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiServer.Tests.ServiceDefaults.Resilience;

internal static class BreakerTestHelpers
{
    private static int _counter;

    /// <summary>A unique breaker name, so parallel tests never share metric series.</summary>
    public static string UniqueName(string prefix = "t") => $"{prefix}-{Interlocked.Increment(ref _counter)}";

    public static FleetCircuitBreaker Create(
        TimeProvider time,
        int failureThreshold = 3,
        int recoverySeconds = 10,
        int monitoringSeconds = 30,
        int successThreshold = 2,
        int maxProbes = 1,
        string? name = null,
        string instance = "test-instance") =>
        new(
            name ?? UniqueName(),
            new CircuitBreakerOptions
            {
                FailureThreshold = failureThreshold,
                RecoveryTimeout = TimeSpan.FromSeconds(recoverySeconds),
                MonitoringPeriod = TimeSpan.FromSeconds(monitoringSeconds),
                SuccessThreshold = successThreshold,
                HalfOpenMaxProbes = maxProbes,
            },
            instance,
            time,
            ResilienceTelemetry.Shared,
            NullLogger.Instance);

    public static void Fail(this FleetCircuitBreaker breaker, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            var permit = breaker.TryEnter(out _);
            Assert.NotEqual(Permit.Rejected, permit);
            breaker.OnCompleted(permit, "HTTP 503");
        }
    }

    public static void Succeed(this FleetCircuitBreaker breaker, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            var permit = breaker.TryEnter(out _);
            Assert.NotEqual(Permit.Rejected, permit);
            breaker.OnCompleted(permit, null);
        }
    }

    /// <summary>
    /// Drives fake time until <paramref name="task"/> completes: jumps to each pending timer (Polly's retry delays) due
    /// within <paramref name="maxJump"/>, so far-off timers (attempt and total timeouts) never fire. Bounded.
    /// </summary>
    public static async Task<T> DriveAsync<T>(this TimerTrackingFakeTimeProvider time, Task<T> task, TimeSpan maxJump, int maxSteps = 2000)
    {
        for (var i = 0; i < maxSteps && !task.IsCompleted; i++)
        {
            time.TryAdvanceToNextTimer(maxJump);
            await Task.Delay(2, TestContext.Current.CancellationToken);
        }

        Assert.True(task.IsCompleted, $"The operation did not finish within {maxSteps} rounds of fake time (jumps up to {maxJump}).");
        return await task;
    }
}
