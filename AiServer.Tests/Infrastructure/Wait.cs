using System.Diagnostics;

namespace AiServer.Tests.Infrastructure;

/// <summary>Bounded polling for tests: every wait has a timeout and says what it waited for.</summary>
public static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until it holds; throws <see cref="TimeoutException"/> naming <paramref name="what"/>.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="timeout">How long to wait at most.</param>
    /// <param name="what">What is awaited, for the failure message.</param>
    /// <param name="pollInterval">Delay between polls (default 20 ms).</param>
    /// <returns>A task that completes when the condition holds.</returns>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? pollInterval = null)
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
                throw new TimeoutException($"Waited {timeout.TotalSeconds:0.#} s for {what}; it did not happen.{(last is null ? string.Empty : $" Last error: {last.GetType().Name}: {last.Message}")}", last);
            }

            await Task.Delay(pollInterval ?? TimeSpan.FromMilliseconds(20));
        }
    }

    /// <summary>Polls a synchronous condition; see <see cref="UntilAsync(Func{Task{bool}}, TimeSpan, string, TimeSpan?)"/>.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="timeout">How long to wait at most.</param>
    /// <param name="what">What is awaited, for the failure message.</param>
    /// <returns>A task that completes when the condition holds.</returns>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what);

    /// <summary>Awaits a task for at most <paramref name="timeout"/>; throws <see cref="TimeoutException"/> naming <paramref name="what"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">The task.</param>
    /// <param name="timeout">How long to wait at most.</param>
    /// <param name="what">What is awaited.</param>
    /// <returns>The task's result.</returns>
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
