using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AiServer.ProviderEmulator.Providers.Supabase;

/// <summary>One horizontal filter <c>col=[not.]op.value</c> with SQL null semantics (a comparison with NULL is never true).</summary>
internal sealed class PostgrestFilter
{
    private static readonly HashSet<string> Operators = ["eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "in", "is"];

    private PostgrestFilter(string column, bool negate, string op, string value, IReadOnlyList<string>? list, Regex? pattern)
    {
        Column = column;
        Negate = negate;
        Operator = op;
        Value = value;
        List = list;
        Pattern = pattern;
    }

    public string Column { get; }

    public bool Negate { get; }

    public string Operator { get; }

    public string Value { get; }

    private IReadOnlyList<string>? List { get; }

    private Regex? Pattern { get; }

    public static PostgrestFilter Parse(string column, string expression)
    {
        var negate = expression.StartsWith("not.", StringComparison.Ordinal);
        var rest = negate ? expression[4..] : expression;
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        var op = dot < 0 ? rest : rest[..dot];
        if (dot < 0 || !Operators.Contains(op))
        {
            throw new PostgrestException(400, "PGRST100", $"\"failed to parse filter ({expression})\" (line 1, column 1)", $"unexpected \"{op}\" expecting operator (eq, neq, gt, gte, lt, lte, like, ilike, in, is)");
        }

        var value = rest[(dot + 1)..];
        IReadOnlyList<string>? list = null;
        Regex? pattern = null;
        switch (op)
        {
            case "in":
                if (!value.StartsWith('(') || !value.EndsWith(')'))
                {
                    throw new PostgrestException(400, "PGRST100", $"\"failed to parse filter (in.{value})\" (line 1, column 4)", "unexpected end of input expecting \"(\"");
                }

                list = SplitList(value[1..^1]);
                break;
            case "is" when value is not ("null" or "true" or "false" or "unknown" or "not_null"):
                throw new PostgrestException(400, "PGRST100", $"\"failed to parse filter (is.{value})\" (line 1, column 4)", "unexpected value expecting null, true, false or unknown");
            case "like" or "ilike":
                pattern = LikePattern(value, op == "ilike");
                break;
        }

        return new PostgrestFilter(column, negate, op, value, list, pattern);
    }

    public bool Matches(JsonObject row)
    {
        row.TryGetPropertyValue(Column, out var cell);
        if (Operator == "is")
        {
            var result = Value switch
            {
                "null" or "unknown" => cell is null,
                "not_null" => cell is not null,
                "true" => IsBool(cell, true),
                _ => IsBool(cell, false),
            };
            return Negate ? !result : result;
        }

        if (cell is null)
        {
            return false; // NULL compared to anything is unknown, also under NOT
        }

        var matched = Operator switch
        {
            "eq" => Compare(cell, Value) == 0,
            "neq" => Compare(cell, Value) != 0,
            "gt" => Compare(cell, Value) > 0,
            "gte" => Compare(cell, Value) >= 0,
            "lt" => Compare(cell, Value) < 0,
            "lte" => Compare(cell, Value) <= 0,
            "like" or "ilike" => Pattern!.IsMatch(Text(cell)),
            "in" => List!.Any(v => Compare(cell, v) == 0),
            _ => false,
        };
        return Negate ? !matched : matched;
    }

    /// <summary>Orders a cell against a literal: numerically when both are numbers, else as text (ordinal).</summary>
    public static int Compare(JsonNode cell, string literal)
    {
        if (Number(cell) is { } cellNumber
            && double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return cellNumber.CompareTo(number);
        }

        if (cell is JsonValue b && b.GetValueKind() is JsonValueKind.True or JsonValueKind.False && bool.TryParse(literal, out var flag))
        {
            return b.GetValue<bool>().CompareTo(flag);
        }

        return string.CompareOrdinal(Text(cell), literal);
    }

    /// <summary>Orders two cells (for <c>order=</c>); nulls are handled by the caller.</summary>
    public static int CompareCells(JsonNode a, JsonNode b)
    {
        if (Number(a) is { } x && Number(b) is { } y)
        {
            return x.CompareTo(y);
        }

        return string.CompareOrdinal(Text(a), Text(b));
    }

    /// <summary>The cell as a number when it is a JSON number (parsed or created from any numeric CLR type).</summary>
    public static double? Number(JsonNode? cell) =>
        cell is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            ? double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture)
            : null;

    public static string Text(JsonNode cell) =>
        cell is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : cell.ToJsonString();

    private static bool IsBool(JsonNode? cell, bool expected) =>
        cell is JsonValue v && v.GetValueKind() == (expected ? JsonValueKind.True : JsonValueKind.False);

    private static Regex LikePattern(string value, bool ignoreCase)
    {
        var builder = new StringBuilder("^");
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '*' or '%' => ".*",
                '_' => ".",
                _ => Regex.Escape(c.ToString()),
            });
        }

        builder.Append('$');
        var options = RegexOptions.Singleline | RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        return new Regex(builder.ToString(), options, TimeSpan.FromSeconds(1));
    }

    /// <summary>Splits <c>a,b,"c,d"</c> honouring double quotes.</summary>
    private static List<string> SplitList(string text)
    {
        var items = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                items.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        if (current.Length > 0 || items.Count > 0)
        {
            items.Add(current.ToString());
        }

        return items;
    }
}
