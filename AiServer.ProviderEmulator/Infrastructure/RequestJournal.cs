using AiServer.ProviderEmulator.Options;
using Microsoft.Extensions.Options;

namespace AiServer.ProviderEmulator.Infrastructure;

/// <summary>Bounded, thread-safe list of the provider requests that arrived, for test assertions.</summary>
internal sealed class RequestJournal(IOptions<EmulatorOptions> options) : IResettable
{
    private static readonly HashSet<string> SecretHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "xi-api-key", "x-api-key", "x-key", "apikey", "Cookie", "Proxy-Authorization",
    };

    private readonly Lock _gate = new();
    private readonly LinkedList<RecordedRequest> _entries = new();
    private readonly int _capacity = options.Value.MaxRecordedRequests;
    private long _sequence;

    public long NextSequence() => Interlocked.Increment(ref _sequence);

    public void Add(RecordedRequest request)
    {
        lock (_gate)
        {
            _entries.AddLast(request);
            while (_entries.Count > _capacity)
            {
                _entries.RemoveFirst();
            }
        }
    }

    public IReadOnlyList<RecordedRequest> List(string? provider, int? limit)
    {
        lock (_gate)
        {
            var query = _entries.Where(e => provider is null || string.Equals(e.Provider, provider, StringComparison.OrdinalIgnoreCase));
            var all = query.OrderBy(e => e.Sequence).ToList();
            return limit is { } n && n < all.Count ? all[^n..] : all;
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    /// <summary>The query string with the value of <c>apikey</c> (Supabase's URL form of the key) replaced by <c>***</c>.</summary>
    public static string RedactQuery(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Query.ContainsKey("apikey"))
        {
            return request.QueryString.Value ?? string.Empty;
        }

        var parts = request.Query.Select(q => string.Equals(q.Key, "apikey", StringComparison.OrdinalIgnoreCase)
            ? new KeyValuePair<string, string?>(q.Key, "***")
            : new KeyValuePair<string, string?>(q.Key, q.Value.ToString()));
        return QueryString.Create(parts).Value ?? string.Empty;
    }

    /// <summary>Copies the headers, with the value of every credential-bearing header replaced by <c>***</c>.</summary>
    public static Dictionary<string, string> Redact(IHeaderDictionary headers)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            result[name] = SecretHeaders.Contains(name) ? "***" : value.ToString();
        }

        return result;
    }
}
