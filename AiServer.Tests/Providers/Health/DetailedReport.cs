namespace AiServer.Tests.Providers.Health;

/// <summary>A parsed <c>/health/detailed</c>: each check by its service name.</summary>
internal sealed record DetailedReport(Dictionary<string, CheckEntry> Checks);
