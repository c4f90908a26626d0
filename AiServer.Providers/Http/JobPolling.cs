namespace AiServer.Providers.Http;

/// <summary>Polls an asynchronous provider job (a prediction, a finetune result, a generation) until it is terminal.</summary>
internal static class JobPolling
{
    /// <summary>
    /// Polls with <paramref name="poll"/> every <paramref name="interval"/> until <paramref name="isTerminal"/> holds;
    /// past <paramref name="timeout"/> it throws what <paramref name="onTimeout"/> makes of the last state (which may
    /// first, e.g., cancel the job).
    /// </summary>
    public static async Task<T> UntilTerminalAsync<T>(
        T current,
        Func<T, bool> isTerminal,
        Func<CancellationToken, Task<T>> poll,
        TimeSpan timeout,
        TimeSpan interval,
        TimeProvider time,
        Func<T, Task<Exception>> onTimeout,
        CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (!isTerminal(current))
        {
            if (time.GetUtcNow() >= deadline)
            {
                throw await onTimeout(current).ConfigureAwait(false);
            }

            await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
            current = await poll(cancellationToken).ConfigureAwait(false);
        }

        return current;
    }
}
