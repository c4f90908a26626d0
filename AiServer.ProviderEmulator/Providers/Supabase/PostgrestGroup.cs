using System.Text;
using System.Text.Json.Nodes;

namespace AiServer.ProviderEmulator.Providers.Supabase;

/// <summary>A logical group <c>or=(a.eq.1,and(b.gt.2,c.is.null))</c> / <c>and=(...)</c>, optionally negated with <c>not.</c>.</summary>
internal sealed class PostgrestGroup
{
    private readonly List<PostgrestFilter> _filters = [];
    private readonly List<PostgrestGroup> _groups = [];

    private PostgrestGroup(bool isOr, bool negate)
    {
        IsOr = isOr;
        Negate = negate;
    }

    public bool IsOr { get; }

    public bool Negate { get; }

    public IEnumerable<string> Columns => _filters.Select(f => f.Column).Concat(_groups.SelectMany(g => g.Columns));

    /// <summary>Parses the value of an <c>or</c>/<c>and</c> query parameter (<paramref name="key"/> may be <c>not.or</c>).</summary>
    public static PostgrestGroup Parse(string key, string value)
    {
        var negate = key.StartsWith("not.", StringComparison.Ordinal);
        var op = negate ? key[4..] : key;
        return ParseBody(op == "or", negate, value);
    }

    public bool Matches(JsonObject row)
    {
        var results = _filters.Select(f => f.Matches(row)).Concat(_groups.Select(g => g.Matches(row)));
        var result = IsOr ? results.Any(r => r) : results.All(r => r);
        return Negate ? !result : result;
    }

    private static PostgrestGroup ParseBody(bool isOr, bool negate, string value)
    {
        if (value.Length < 2 || value[0] != '(' || value[^1] != ')')
        {
            throw Error(value, "expecting \"(\"");
        }

        var group = new PostgrestGroup(isOr, negate);
        foreach (var item in SplitTopLevel(value[1..^1]))
        {
            var notted = item.StartsWith("not.", StringComparison.Ordinal);
            var body = notted ? item[4..] : item;
            if (body.StartsWith("or(", StringComparison.Ordinal) || body.StartsWith("and(", StringComparison.Ordinal))
            {
                var open = body.IndexOf('(', StringComparison.Ordinal);
                group._groups.Add(ParseBody(body[..open] == "or", notted, body[open..]));
                continue;
            }

            var dot = item.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0)
            {
                throw Error(item, "expecting column.operator.value");
            }

            group._filters.Add(PostgrestFilter.Parse(item[..dot], item[(dot + 1)..]));
        }

        return group;
    }

    /// <summary>Splits on commas that are outside parentheses and double quotes.</summary>
    private static List<string> SplitTopLevel(string text)
    {
        var items = new List<string>();
        var current = new StringBuilder();
        var depth = 0;
        var quoted = false;
        foreach (var c in text)
        {
            switch (c)
            {
                case '"':
                    quoted = !quoted;
                    break;
                case '(' when !quoted:
                    depth++;
                    break;
                case ')' when !quoted:
                    depth--;
                    break;
                case ',' when !quoted && depth == 0:
                    items.Add(current.ToString());
                    current.Clear();
                    continue;
            }

            current.Append(c);
        }

        if (current.Length > 0)
        {
            items.Add(current.ToString());
        }

        return items;
    }

    private static PostgrestException Error(string text, string expected) =>
        new(400, "PGRST100", $"\"failed to parse logic tree ({text})\" (line 1, column 1)", $"unexpected input {expected}");
}
