using Vigil.Eql.Documents;

namespace Vigil.Eql.Indexing;

/// <summary>
/// What a condition needs of one string field, as a disjunction: some value of the field equals one of
/// <see cref="Values"/> or starts with one of <see cref="Prefixes"/>, both compared case-insensitively. It is a
/// necessary condition, never a sufficient one: ignoring case only lets more events through, never fewer.
/// </summary>
internal sealed class ValueRequirement<TEvent>
{
    public ValueRequirement(string path, FieldAccessor<TEvent> accessor, IEnumerable<string> values, IEnumerable<string> prefixes)
    {
        Path = path;
        Accessor = accessor;
        Values = new HashSet<string>(values, StringComparer.OrdinalIgnoreCase);
        Prefixes = new HashSet<string>(prefixes, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The field's canonical path: requirements of different rules on one field share an index entry.</summary>
    public string Path { get; }

    public FieldAccessor<TEvent> Accessor { get; }

    public HashSet<string> Values { get; }

    public HashSet<string> Prefixes { get; }

    /// <summary>How many alternatives the requirement allows: fewer means more selective.</summary>
    public int Width => Values.Count + Prefixes.Count;

    /// <summary>Either requirement (an "or" of two conditions on the same field).</summary>
    public ValueRequirement<TEvent> Or(ValueRequirement<TEvent> other) =>
        new(Path, Accessor, Values.Concat(other.Values), Prefixes.Concat(other.Prefixes));

    /// <summary>The reference semantics the index must agree with: true when some string value of the field passes.</summary>
    public bool IsMetBy(TEvent document)
    {
        var value = Accessor(document);
        for (var i = 0; i < value.Count; i++)
        {
            var item = value.ItemAt(i);
            if (item.Kind != EqlValueKind.String)
            {
                continue;
            }

            var text = item.AsString;
            if (Values.Contains(text) || Prefixes.Any(p => text.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }
}
