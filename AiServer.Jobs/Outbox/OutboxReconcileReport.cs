namespace AiServer.Jobs.Outbox;

/// <summary>What <see cref="OutboxReconciler"/> found: jobs compared, in sync, missing or stale in Supabase, still in the outbox, and queued again.</summary>
internal sealed record OutboxReconcileReport(int Checked, int InSync, int Missing, int Stale, int Pending, int Repaired, IReadOnlyList<string> Drifted);
