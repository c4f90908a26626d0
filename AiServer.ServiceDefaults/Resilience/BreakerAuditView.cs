namespace AiServer.ServiceDefaults.Resilience;

/// <summary>The body of <c>GET /admin/audit</c>: where the entries come from (<c>redis</c> or <c>local</c>) and the entries, newest first.</summary>
internal sealed record BreakerAuditView(string Source, IReadOnlyList<BreakerAuditEntry> Entries);
