namespace AiServer.Jobs.Webhooks;

/// <summary>What became of an inbound provider webhook (the api answers 200, 401 or 404).</summary>
internal enum InboundWebhookOutcome
{
    /// <summary>Verified and recorded: the job's worker takes it from here (200).</summary>
    Accepted,

    /// <summary>Verified, but a duplicate, older than what is recorded, or for a finished job: nothing changes (200, so the provider stops retrying).</summary>
    Ignored,

    /// <summary>No such job, or the job is not this provider's job (404, logged).</summary>
    UnknownJob,

    /// <summary>Signature missing or wrong, timestamp outside the replay window, or no secret configured (401).</summary>
    Unverified,
}
