using System.Text;
using System.Text.RegularExpressions;
using Vigil.Eql.Documents;

namespace Vigil.Rules.ExceptionLists;

/// <summary>
/// One Kibana exception item compiled to a test on a single event, with Elasticsearch's semantics for the filter
/// Kibana builds from it: entries AND together; "match" is exact and case-sensitive (match_phrase on a keyword
/// field), "matches" is a case-sensitive wildcard query; a multi-valued field holds when any of its values does; an
/// "excluded" entry is a must_not, so it holds for events that lack the field; os_types add host.os.type.
/// </summary>
public sealed class ExceptionItemMatcher<TEvent>
{
    private readonly Func<TEvent, bool>[] entries;
    private readonly FieldAccessor<TEvent> timestamp;
    private readonly long? expiresAt;

    public ExceptionItemMatcher(ExceptionListItem item, IEventSchema<TEvent> schema)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(schema);
        Item = item;
        var entries = item.Entries.Select(e => Compile(e, schema)).ToList();
        if (item.OsTypes.Count > 0)
        {
            var osType = Accessor(schema, "host.os.type");
            var allowed = item.OsTypes.ToHashSet(StringComparer.Ordinal);
            entries.Add(e => AnyValue(osType(e), v => v.Kind == EqlValueKind.String && allowed.Contains(v.AsString)));
        }

        this.entries = entries.ToArray();
        timestamp = Accessor(schema, "@timestamp");
        expiresAt = item.ExpireTime is { } expires ? (expires.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100 : null;
    }

    public ExceptionListItem Item { get; }

    /// <summary>
    /// True when the item removes <paramref name="document"/>. An item with an expire_time stops applying to events
    /// from that time on (event time, so a backtest and the live stream decide alike).
    /// </summary>
    public bool Matches(TEvent document)
    {
        if (expiresAt is { } expiry && timestamp(document) is { IsNull: false } time && time.AsInteger >= expiry)
        {
            return false;
        }

        foreach (var entry in this.entries)
        {
            if (!entry(document))
            {
                return false;
            }
        }

        return true;
    }

    private static Func<TEvent, bool> Compile(ExceptionEntry entry, IEventSchema<TEvent> schema)
    {
        if (entry.Kind == ExceptionEntryKind.Nested)
        {
            // Vigil's contract has no arrays of objects: a nested field is one object, so "the same object" is it.
            var inner = entry.Entries.Select(e => Compile(e, schema)).ToArray();
            return e => inner.All(test => test(e));
        }

        var read = Accessor(schema, entry.Field);
        schema.Fields.TryResolve(entry.Field, out var field, out _);
        Func<EqlValue, bool> holds = entry.Kind switch
        {
            ExceptionEntryKind.Exists => _ => true,
            ExceptionEntryKind.Match or ExceptionEntryKind.MatchAny => Equality(entry, field),
            ExceptionEntryKind.Wildcard => Wildcard(entry.Values[0]),
            ExceptionEntryKind.List => InList(entry.List!),
            _ => throw new InvalidOperationException($"unknown entry kind {entry.Kind}"),
        };
        return entry.Excluded ? e => !AnyValue(read(e), holds) : e => AnyValue(read(e), holds);
    }

    private static Func<EqlValue, bool> Equality(ExceptionEntry entry, FieldDefinition field)
    {
        var wanted = entry.Values.Select(v => ExceptionValues.Parse(field, v)!.Value).ToArray();
        return value => wanted.Any(w => w.ScalarEquals(value));
    }

    private static Func<EqlValue, bool> Wildcard(string pattern)
    {
        var regex = new Regex(GlobToRegex(pattern), RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.NonBacktracking);
        return value => value.Kind == EqlValueKind.String && regex.IsMatch(value.AsString);
    }

    private static Func<EqlValue, bool> InList(ValueList list)
    {
        if (list.Type == "keyword")
        {
            var set = list.Values.ToHashSet(StringComparer.Ordinal);
            return value => value.Kind == EqlValueKind.String && set.Contains(value.AsString);
        }

        var ranges = list.Values.Select(v => IpValues.Parse(v, allowRange: list.Type == "ip_range")!.Value).ToArray();
        return value => value.Kind == EqlValueKind.String && ranges.Any(r => IpValues.Contains(r, value.AsString));
    }

    private static bool AnyValue(EqlValue value, Func<EqlValue, bool> test)
    {
        for (var i = 0; i < value.Count; i++)
        {
            if (test(value.ItemAt(i)))
            {
                return true;
            }
        }

        return false;
    }

    private static FieldAccessor<TEvent> Accessor(IEventSchema<TEvent> schema, string path) =>
        schema.CreateAccessor(schema.Fields.Require(path), path);

    /// <summary>Elasticsearch wildcard syntax: '*' any run, '?' one character, '\' escapes the next character.</summary>
    private static string GlobToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            regex.Append(c switch
            {
                '*' => ".*",
                '?' => ".",
                '\\' when i + 1 < pattern.Length => Regex.Escape(pattern[++i].ToString()),
                _ => Regex.Escape(c.ToString()),
            });
        }

        return regex.Append('$').ToString();
    }
}
