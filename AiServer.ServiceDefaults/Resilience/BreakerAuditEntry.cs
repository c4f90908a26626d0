namespace AiServer.ServiceDefaults.Resilience;

/// <summary>One manual breaker action in the audit trail (<c>GET /admin/audit</c>).</summary>
internal sealed record BreakerAuditEntry(string Id, DateTimeOffset At, string Action, string Breaker, string Reason, string Instance, string Actor);
