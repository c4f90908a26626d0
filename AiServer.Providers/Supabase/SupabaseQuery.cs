using System.Globalization;
using System.Text;

namespace AiServer.Providers.Supabase;

/// <summary>
/// PostgREST query parameters: <c>select</c>, filters (<c>col=eq.value</c>, ...), <c>order</c>, <c>limit</c>, <c>offset</c>,
/// <c>on_conflict</c>. Values are URL-encoded; <c>in</c> lists are quoted when needed.
/// </summary>
internal sealed class SupabaseQuery
{
    private readonly List<KeyValuePair<string, string>> _parameters = [];

    public bool HasFilter { get; private set; }

    public SupabaseQuery Select(string columns) => Set("select", columns);

    public SupabaseQuery Eq(string column, object? value) => Filter(column, "eq", value);

    public SupabaseQuery Neq(string column, object? value) => Filter(column, "neq", value);

    public SupabaseQuery Gt(string column, object? value) => Filter(column, "gt", value);

    public SupabaseQuery Gte(string column, object? value) => Filter(column, "gte", value);

    public SupabaseQuery Lt(string column, object? value) => Filter(column, "lt", value);

    public SupabaseQuery Lte(string column, object? value) => Filter(column, "lte", value);

    public SupabaseQuery Like(string column, string pattern) => Filter(column, "like", pattern);

    public SupabaseQuery ILike(string column, string pattern) => Filter(column, "ilike", pattern);

    /// <summary><c>is.null</c>, <c>is.true</c>, <c>is.false</c>.</summary>
    public SupabaseQuery Is(string column, bool? value) => Filter(column, "is", value switch { null => "null", true => "true", false => "false" });

    public SupabaseQuery In(string column, IEnumerable<object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = string.Join(',', values.Select(v => Quote(Format(v))));
        return Filter(column, "in", "(" + list + ")", raw: true);
    }

    /// <summary>Adds an order term (several calls order by several columns).</summary>
    public SupabaseQuery Order(string column, bool ascending = true, bool? nullsFirst = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        var term = column + (ascending ? ".asc" : ".desc") + (nullsFirst switch { true => ".nullsfirst", false => ".nullslast", null => string.Empty });
        var existing = _parameters.FindIndex(p => p.Key == "order");
        if (existing >= 0)
        {
            _parameters[existing] = new("order", _parameters[existing].Value + "," + term);
            return this;
        }

        return Set("order", term);
    }

    public SupabaseQuery Limit(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Set("limit", count.ToString(CultureInfo.InvariantCulture));
    }

    public SupabaseQuery Offset(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Set("offset", count.ToString(CultureInfo.InvariantCulture));
    }

    internal SupabaseQuery OnConflict(string columns) => Set("on_conflict", columns);

    /// <summary>The query string without the leading <c>?</c>.</summary>
    public string ToQueryString()
    {
        var builder = new StringBuilder();
        foreach (var (key, value) in _parameters)
        {
            if (builder.Length > 0)
            {
                builder.Append('&');
            }

            builder.Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return builder.ToString();
    }

    public override string ToString() => ToQueryString();

    internal SupabaseQuery Clone()
    {
        var copy = new SupabaseQuery { HasFilter = HasFilter };
        copy._parameters.AddRange(_parameters);
        return copy;
    }

    private SupabaseQuery Filter(string column, string op, object? value, bool raw = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        _parameters.Add(new(column, op + "." + (raw ? (string)value! : Format(value))));
        HasFilter = true;
        return this;
    }

    private SupabaseQuery Set(string key, string value)
    {
        _parameters.RemoveAll(p => p.Key == key);
        _parameters.Add(new(key, value));
        return this;
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>PostgREST reserves <c>,.:()"</c> and spaces inside <c>in</c> lists; such values go in double quotes.</summary>
    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",.:()\" \\") >= 0 ? "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : value;
}
