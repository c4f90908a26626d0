namespace AiServer.ServiceDefaults.Resilience;

/// <summary>Breaker names appear in Redis keys, metric labels and URLs, so they are kept to a safe alphabet.</summary>
internal static class CircuitBreakerName
{
    internal const string Rule = "1-64 characters of a-z, 0-9, '-', '_' and '.'";

    internal static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
