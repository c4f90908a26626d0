using Microsoft.Extensions.Logging;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// Operators' actions on one breaker (Polly's <c>CircuitBreakerManualControl</c>, fleet-wide): force-open, force-close
/// and reset apply on this instance at once, stay pending until Redis has them, and are written through the fleet link
/// on the sync's own timeout. A write that fails leaves the action pending; the sync's next round replays it.
/// </summary>
internal sealed class BreakerManualControl(string name, string instanceId, CircuitBreakerOptions options, BreakerStateController state, Action<FleetStateRecord> applyCooldown, TimeProvider time, ILogger logger)
{
    private readonly SemaphoreSlim _writes = new(1, 1);

    /// <summary>Applies <paramref name="action"/> here and, when the fleet is connected, waits for Redis to have it.</summary>
    public async Task ApplyAsync(ManualAction action, string? reason, IFleetLink? connectedLink, CancellationToken cancellationToken)
    {
        logger.ManualAction(action.ToString(), name, instanceId, time.GetUtcNow(), reason);
        state.ApplyManual(action, reason);
        if (connectedLink is { } link)
        {
            // Never the caller's token for the write itself: an aborted admin request only stops waiting for it.
            await link.ExchangeAsync(name, "manual", (store, ct) => WritePendingAsync(store, link.InstanceId, ct))
                .WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes the pending action (if any) and applies Redis's answer. Writes are serialized, and each writes the action
    /// pending when it starts, so the operator's last action is the last one Redis sees.
    /// </summary>
    public async Task<bool> WritePendingAsync(IFleetStateStore store, string writer, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (state.PendingManual is { } manual)
            {
                var record = await store.ApplyManualAsync(name, manual.Action, writer, manual.Reason, options, cancellationToken).ConfigureAwait(false);
                applyCooldown(record);
                state.CompleteManual(manual, record);
            }

            return true;
        }
        finally
        {
            _writes.Release();
        }
    }
}
