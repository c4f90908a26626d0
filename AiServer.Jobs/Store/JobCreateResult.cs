namespace AiServer.Jobs.Store;

/// <summary>What <see cref="JobStore.CreateAsync"/> did: created the job, found the same request under its idempotency key, or found a different one.</summary>
internal sealed record JobCreateResult(JobRecord? Job, bool Created, bool KeyReusedWithOtherBody);
