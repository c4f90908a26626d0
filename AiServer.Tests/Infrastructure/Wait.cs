using System.Diagnostics;

namespace AiServer.Tests.Infrastructure;

/// <summary>Bounded polling: every wait in the tests has a timeout and says what it waited for.</summary>
public static class Wait
{
    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string waitingFor, TimeSpan? interval = null) =>
        UntilAsync(condition, timeout, () => waitingFor, interval);

    /// <summary>Waits; <paramref name="waitingFor"/> is evaluated at the timeout, so it can describe the state then.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> waitingFor, TimeSpan? interval = null)
    {
        var sw = Stopwatch.StartNew();
        Exception? last = null;
        while (sw.Elapsed < timeout)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException or InvalidOperationException)
            {
                last = ex;
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(50));
        }

        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {waitingFor()}." +
            (last is null ? string.Empty : $" Last error: {last.GetType().Name}: {last.Message}"));
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string waitingFor) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, waitingFor);

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> waitingFor) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, waitingFor);
}
