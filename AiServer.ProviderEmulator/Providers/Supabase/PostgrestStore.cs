using System.Text.Json.Nodes;
using AiServer.ProviderEmulator.Infrastructure;

namespace AiServer.ProviderEmulator.Providers.Supabase;

/// <summary>
/// In-memory tables of the PostgREST subset. A table is created by its first insert; its columns are the union of
/// the keys inserted; rows without <c>id</c> get the next integer, as an identity primary key would.
/// </summary>
internal sealed class PostgrestStore : IResettable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Table> _tables = new(StringComparer.Ordinal);

    public (List<JsonObject> Rows, int Total) Select(string table, PostgrestQuery query)
    {
        lock (_gate)
        {
            var t = Existing(table);
            t.CheckColumns(table, query.ReferencedColumns());
            var matched = query.Sort(t.Rows.Where(query.Matches));
            var page = matched.Skip(query.Offset).Take(query.Limit ?? int.MaxValue).Select(query.Project).ToList();
            return (page, matched.Count);
        }
    }

    /// <summary>Inserts or upserts; returns the rows written (ignored duplicates are not returned, as in PostgREST).</summary>
    public List<JsonObject> Insert(string table, IReadOnlyList<JsonObject> rows, string? resolution, IReadOnlyList<string> onConflict)
    {
        lock (_gate)
        {
            if (!_tables.TryGetValue(table, out var t))
            {
                t = new Table();
                _tables[table] = t;
            }

            var written = new List<JsonObject>();
            var staged = new List<JsonObject>();
            var nextId = t.NextId;
            foreach (var source in rows)
            {
                var row = (JsonObject)source.DeepClone();
                IReadOnlyList<string> conflict = resolution is null ? ["id"] : onConflict;
                if (!row.ContainsKey("id"))
                {
                    row["id"] = nextId++;
                }

                var existing = conflict.All(row.ContainsKey)
                    ? t.Rows.Concat(staged).FirstOrDefault(r => conflict.All(c => r.TryGetPropertyValue(c, out var v) && JsonNode.DeepEquals(v, row[c])))
                    : null;
                if (existing is null)
                {
                    staged.Add(row);
                    written.Add(row);
                    continue;
                }

                switch (resolution)
                {
                    case "merge-duplicates":
                        foreach (var (key, value) in row)
                        {
                            if (key != "id" || !existing.ContainsKey("id"))
                            {
                                existing[key] = value?.DeepClone();
                            }
                        }

                        written.Add(existing);
                        break;
                    case "ignore-duplicates":
                        break;
                    default:
                        var keyText = string.Join(", ", conflict);
                        var valueText = string.Join(", ", conflict.Select(c => PostgrestFilter.Text(row[c]!)));
                        throw new PostgrestException(409, "23505", $"duplicate key value violates unique constraint \"{table}_pkey\"", $"Key ({keyText})=({valueText}) already exists.");
                }
            }

            foreach (var row in staged)
            {
                t.Rows.Add(row);
                t.Columns.UnionWith(row.Select(p => p.Key));
                if (PostgrestFilter.Number(row["id"]) is { } id && id >= t.NextId)
                {
                    t.NextId = (long)id + 1;
                }
            }

            foreach (var row in written)
            {
                t.Columns.UnionWith(row.Select(p => p.Key));
            }

            return [.. written.Select(r => (JsonObject)r.DeepClone())];
        }
    }

    public List<JsonObject> Update(string table, PostgrestQuery query, JsonObject patch)
    {
        lock (_gate)
        {
            var t = Existing(table);
            t.CheckColumns(table, query.FilterColumns());
            var updated = new List<JsonObject>();
            foreach (var row in t.Rows.Where(query.Matches))
            {
                foreach (var (key, value) in patch)
                {
                    row[key] = value?.DeepClone();
                }

                updated.Add((JsonObject)row.DeepClone());
            }

            t.Columns.UnionWith(patch.Select(p => p.Key));
            return updated;
        }
    }

    public List<JsonObject> Delete(string table, PostgrestQuery query)
    {
        lock (_gate)
        {
            var t = Existing(table);
            t.CheckColumns(table, query.FilterColumns());
            var removed = t.Rows.Where(query.Matches).ToList();
            t.Rows.RemoveAll(removed.Contains);
            return removed;
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _tables.Clear();
        }
    }

    private Table Existing(string table) =>
        _tables.TryGetValue(table, out var t)
            ? t
            : throw new PostgrestException(404, "PGRST205", $"Could not find the table 'public.{table}' in the schema cache", null, null);

    private sealed class Table
    {
        public List<JsonObject> Rows { get; } = [];

        public HashSet<string> Columns { get; } = new(StringComparer.Ordinal);

        public long NextId { get; set; } = 1;

        public void CheckColumns(string table, IEnumerable<string> columns)
        {
            foreach (var column in columns)
            {
                if (column != "*" && !Columns.Contains(column))
                {
                    throw new PostgrestException(400, "42703", $"column {table}.{column} does not exist", null, null);
                }
            }
        }
    }
}
