using System.Globalization;
using System.Text.RegularExpressions;
using AiServer.ProviderEmulator.Infrastructure;

namespace AiServer.ProviderEmulator.Faults;

/// <summary>The active faults, in the order they were added; the first applicable one wins.</summary>
internal sealed class FaultStore(TimeProvider time) : IResettable
{
    private readonly Lock _gate = new();
    private readonly List<FaultRule> _rules = [];
    private long _nextId;

    /// <summary>Validates and adds a fault; returns the errors keyed by field when the request is bad.</summary>
    public (FaultRule? Rule, Dictionary<string, string[]> Errors) Add(FaultRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var provider = string.IsNullOrWhiteSpace(request.Provider) ? null : request.Provider.Trim().ToLowerInvariant();
        if (provider is null)
        {
            errors["provider"] = ["provider is required: one of " + string.Join(", ", ProviderIds.All) + " or *."];
        }
        else if (provider != "*" && !ProviderIds.All.Contains(provider))
        {
            errors["provider"] = [$"Unknown provider '{provider}'; use one of " + string.Join(", ", ProviderIds.All) + " or *."];
        }

        FaultKind? kind = request.Kind?.Trim().ToLowerInvariant() switch
        {
            "error" or "status" => FaultKind.Error,
            "latency" or "delay" => FaultKind.Latency,
            "hang" => FaultKind.Hang,
            "reset" or "abort" => FaultKind.Reset,
            "ratelimit" or "rate-limit" or "429" => FaultKind.RateLimit,
            _ => null,
        };
        if (kind is null)
        {
            errors["kind"] = ["kind is required: error, latency, hang, reset or rateLimit."];
        }

        if (request.Rate is { } rate && (double.IsNaN(rate) || rate is < 0 or > 1))
        {
            errors["rate"] = ["rate must be between 0 and 1."];
        }

        if (request.StatusCode is { } code && code is < 400 or > 599)
        {
            errors["statusCode"] = ["statusCode must be between 400 and 599."];
        }

        if (request.LatencyMs is < 0 or > 600_000)
        {
            errors["latencyMs"] = ["latencyMs must be between 0 and 600000."];
        }

        if (kind == FaultKind.Latency && request.LatencyMs is null or 0)
        {
            errors["latencyMs"] = ["latency faults need latencyMs > 0."];
        }

        if (request.RetryAfterSeconds is < 0 or > 86_400)
        {
            errors["retryAfterSeconds"] = ["retryAfterSeconds must be between 0 and 86400."];
        }

        if (request.DurationSeconds is { } duration && (double.IsNaN(duration) || duration <= 0 || duration > 86_400))
        {
            errors["durationSeconds"] = ["durationSeconds must be greater than 0 and at most 86400."];
        }

        if (request.Count is < 1)
        {
            errors["count"] = ["count must be at least 1."];
        }

        if (request.Method is { } method && !IsHttpMethodToken(method.Trim()))
        {
            errors["method"] = ["method must be an HTTP method name such as GET or POST (letters only), or left out for any method."];
        }

        var path = string.IsNullOrWhiteSpace(request.Path) ? "*" : request.Path.Trim();
        if (path != "*" && !path.StartsWith('/'))
        {
            errors["path"] = ["path must start with '/' (it is matched after the provider prefix) or be '*'."];
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var now = time.GetUtcNow();
        lock (_gate)
        {
            var rule = new FaultRule
            {
                Id = "f" + (++_nextId).ToString(CultureInfo.InvariantCulture),
                Provider = provider!,
                Path = path,
                Method = string.IsNullOrWhiteSpace(request.Method) ? null : request.Method.Trim().ToUpperInvariant(),
                Kind = kind!.Value,
                Rate = request.Rate ?? 1,
                StatusCode = request.StatusCode ?? 500,
                Latency = TimeSpan.FromMilliseconds(request.LatencyMs ?? 0),
                RetryAfter = kind == FaultKind.RateLimit && request.OmitRetryAfter != true
                    ? TimeSpan.FromSeconds(request.RetryAfterSeconds ?? 1)
                    : null,
                CreatedAt = now,
                ExpiresAt = request.DurationSeconds is { } d ? now + TimeSpan.FromSeconds(d) : null,
                Count = request.Count,
                PathRegex = Glob(path),
            };
            _rules.Add(rule);
            return (rule, errors);
        }
    }

    /// <summary>The fault to apply to this request, if any; counts the match and the application.</summary>
    public FaultRule? Decide(string provider, string method, string path)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            _rules.RemoveAll(r => r.IsExpired(now));
            foreach (var rule in _rules)
            {
                if (!rule.Matches(provider, method, path))
                {
                    continue;
                }

                rule.Matched++;
                // Deterministic spreading: after n matches exactly floor(n * rate) have been hit.
                // (The epsilon keeps rates like 0.1 or 1/3 exact despite binary floating point.)
                if (Math.Floor((rule.Matched * rule.Rate) + 1e-9) > Math.Floor(((rule.Matched - 1) * rule.Rate) + 1e-9))
                {
                    rule.Applied++;
                    return rule;
                }
            }

            return null;
        }
    }

    public IReadOnlyList<object> List()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            _rules.RemoveAll(r => r.IsExpired(now));
            return [.. _rules.Select(r => r.ToView())];
        }
    }

    public bool Remove(string id)
    {
        lock (_gate)
        {
            return _rules.RemoveAll(r => r.Id == id) > 0;
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    private static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));

    /// <summary>An HTTP method as a client sends it: 1 to 20 ASCII letters (no spaces, no separators).</summary>
    private static bool IsHttpMethodToken(string method) =>
        method.Length is > 0 and <= 20 && method.All(char.IsAsciiLetter);
}
