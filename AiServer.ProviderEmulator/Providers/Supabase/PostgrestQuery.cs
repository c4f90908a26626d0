using System.Globalization;
using System.Text.Json.Nodes;

namespace AiServer.ProviderEmulator.Providers.Supabase;

/// <summary>The parsed query string of a PostgREST request: filters, select, order, limit/offset, on_conflict.</summary>
internal sealed class PostgrestQuery
{
    private static readonly HashSet<string> Reserved = ["select", "order", "limit", "offset", "on_conflict", "columns", "apikey"];

    public List<PostgrestFilter> Filters { get; } = [];

    public List<PostgrestGroup> Groups { get; } = [];

    /// <summary>(output name, column) pairs; null = <c>*</c>.</summary>
    public List<(string Name, string Column)>? Select { get; private set; }

    public List<(string Column, bool Descending, bool? NullsFirst)> Order { get; } = [];

    public int? Limit { get; private set; }

    public int Offset { get; private set; }

    public List<string> OnConflict { get; private set; } = ["id"];

    public static PostgrestQuery Parse(IQueryCollection query, string? rangeHeader)
    {
        var result = new PostgrestQuery();
        foreach (var (key, values) in query)
        {
            foreach (var value in values)
            {
                if (value is null)
                {
                    continue;
                }

                switch (key)
                {
                    case "select":
                        result.Select = ParseSelect(value);
                        break;
                    case "order":
                        result.ParseOrder(value);
                        break;
                    case "limit":
                        result.Limit = ParseNonNegative("limit", value);
                        break;
                    case "offset":
                        result.Offset = ParseNonNegative("offset", value);
                        break;
                    case "on_conflict":
                        result.OnConflict = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                        break;
                    case "or" or "and" or "not.or" or "not.and":
                        result.Groups.Add(PostgrestGroup.Parse(key, value));
                        break;
                    default:
                        if (!Reserved.Contains(key))
                        {
                            result.Filters.Add(PostgrestFilter.Parse(key, value));
                        }

                        break;
                }
            }
        }

        if (!string.IsNullOrEmpty(rangeHeader))
        {
            var parts = rangeHeader.Split('-');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first))
            {
                throw new PostgrestException(416, "PGRST103", "Requested range not satisfiable", $"Invalid Range header: {rangeHeader}");
            }

            result.Offset = first;
            if (parts[1].Length > 0)
            {
                if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var last) || last < first)
                {
                    throw new PostgrestException(416, "PGRST103", "Requested range not satisfiable", $"Invalid Range header: {rangeHeader}");
                }

                result.Limit = Math.Min(result.Limit ?? int.MaxValue, last - first + 1);
            }
        }

        return result;
    }

    public IEnumerable<string> ReferencedColumns() =>
        FilterColumns().Concat(Order.Select(o => o.Column)).Concat(Select?.Select(s => s.Column) ?? []);

    public IEnumerable<string> FilterColumns() => Filters.Select(f => f.Column).Concat(Groups.SelectMany(g => g.Columns));

    public bool Matches(JsonObject row) => Filters.All(f => f.Matches(row)) && Groups.All(g => g.Matches(row));

    public List<JsonObject> Sort(IEnumerable<JsonObject> rows)
    {
        var list = rows.ToList();
        if (Order.Count == 0)
        {
            return list;
        }

        list.Sort((a, b) =>
        {
            foreach (var (column, descending, nullsFirst) in Order)
            {
                a.TryGetPropertyValue(column, out var x);
                b.TryGetPropertyValue(column, out var y);
                int c;
                if (x is null || y is null)
                {
                    // PostgreSQL: NULLS LAST for ASC, NULLS FIRST for DESC unless told otherwise.
                    var firstNulls = nullsFirst ?? descending;
                    c = x is null && y is null ? 0 : x is null ? (firstNulls ? -1 : 1) : (firstNulls ? 1 : -1);
                }
                else
                {
                    c = PostgrestFilter.CompareCells(x, y);
                    if (descending)
                    {
                        c = -c;
                    }
                }

                if (c != 0)
                {
                    return c;
                }
            }

            return 0;
        });
        return list;
    }

    public JsonObject Project(JsonObject row)
    {
        if (Select is null)
        {
            return (JsonObject)row.DeepClone();
        }

        var projected = new JsonObject();
        foreach (var (name, column) in Select)
        {
            if (column == "*")
            {
                foreach (var (k, v) in row)
                {
                    projected[k] = v?.DeepClone();
                }

                continue;
            }

            projected[name] = row.TryGetPropertyValue(column, out var value) ? value?.DeepClone() : null;
        }

        return projected;
    }

    private static List<(string, string)>? ParseSelect(string value)
    {
        var items = new List<(string, string)>();
        foreach (var raw in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (raw.Contains('(', StringComparison.Ordinal))
            {
                throw new PostgrestException(400, "PGRST200", "Could not find a relationship in the schema cache", "Embedded resources are not emulated", null);
            }

            var item = raw;
            var cast = item.IndexOf("::", StringComparison.Ordinal);
            if (cast >= 0)
            {
                item = item[..cast];
            }

            var colon = item.IndexOf(':', StringComparison.Ordinal);
            items.Add(colon >= 0 ? (item[..colon], item[(colon + 1)..]) : (item, item));
        }

        return items.Count == 1 && items[0].Item2 == "*" ? null : items;
    }

    private void ParseOrder(string value)
    {
        foreach (var term in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = term.Split('.');
            var descending = false;
            bool? nullsFirst = null;
            foreach (var modifier in parts.Skip(1))
            {
                switch (modifier)
                {
                    case "asc":
                        descending = false;
                        break;
                    case "desc":
                        descending = true;
                        break;
                    case "nullsfirst":
                        nullsFirst = true;
                        break;
                    case "nullslast":
                        nullsFirst = false;
                        break;
                    default:
                        throw new PostgrestException(400, "PGRST100", $"\"failed to parse order ({term})\" (line 1, column 1)", $"unexpected \"{modifier}\" expecting \"asc\", \"desc\", \"nullsfirst\" or \"nullslast\"");
                }
            }

            Order.Add((parts[0], descending, nullsFirst));
        }
    }

    private static int ParseNonNegative(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new PostgrestException(400, "PGRST100", $"\"failed to parse {name} ({value})\" (line 1, column 1)", "unexpected input expecting a non-negative integer");
}
