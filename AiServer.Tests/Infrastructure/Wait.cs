using System.Diagnostics;

namespace AiServer.Tests.Infrastructure;

/// <summary>Bounded polling for tests: every wait has a timeout and says what it waited for.</summary>
public static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until it holds; throws <see cref="TimeoutException"/> naming what it waited for.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string waitingFor, TimeSpan? interval = null) =>
        UntilAsync(condition, timeout, () => waitingFor, interval);

    /// <summary>Waits; <paramref name="waitingFor"/> is evaluated at the timeout, so it can describe the state then.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> waitingFor, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex)
            {
                last = ex;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {waitingFor()}." +
                    (last is null ? string.Empty : $" Last error: {last.GetType().Name}: {last.Message}"), last);
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(20));
        }
    }

    /// <summary>Polls a synchronous condition.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string waitingFor) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, waitingFor);

    /// <summary>Polls a synchronous condition; the message is evaluated at the timeout.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> waitingFor) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, waitingFor);

    /// <summary>Awaits a task for at most <paramref name="timeout"/>; throws <see cref="TimeoutException"/> naming what it waited for.</summary>
    public static async Task<T> ForAsync<T>(Task<T> task, TimeSpan timeout, string what)
    {
        try
        {
            return await task.WaitAsync(timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"Waited {timeout.TotalSeconds:0.#} s for {what}; it did not complete.", ex);
        }
    }
}
