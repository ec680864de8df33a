using Vigil.Eql.Documents;

namespace Vigil.Eql.Indexing;

/// <summary>
/// What a condition needs of one field, as a disjunction: the key (see <see cref="KeyOf"/>) of some value of the field
/// equals one of <see cref="Values"/>, starts with one of <see cref="Prefixes"/> or ends with one of
/// <see cref="Suffixes"/>, all compared case-insensitively. It is a necessary condition, never a sufficient one:
/// ignoring case only lets more events through, never fewer.
/// </summary>
internal sealed class ValueRequirement<TEvent>
{
    public ValueRequirement(string path, FieldAccessor<TEvent> accessor, IEnumerable<string> values, IEnumerable<string> prefixes, IEnumerable<string>? suffixes = null)
    {
        Path = path;
        Accessor = accessor;
        Values = new HashSet<string>(values, StringComparer.OrdinalIgnoreCase);
        Prefixes = new HashSet<string>(prefixes, StringComparer.OrdinalIgnoreCase);
        Suffixes = new HashSet<string>(suffixes ?? [], StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The field's canonical path: requirements of different rules on one field share an index entry.</summary>
    public string Path { get; }

    public FieldAccessor<TEvent> Accessor { get; }

    public HashSet<string> Values { get; }

    public HashSet<string> Prefixes { get; }

    public HashSet<string> Suffixes { get; }

    /// <summary>How many alternatives the requirement allows: fewer means more selective.</summary>
    public int Width => Values.Count + Prefixes.Count + Suffixes.Count;

    /// <summary>
    /// The text a single value is indexed by: a string itself, a boolean as "true" or "false" (a field has one type, so
    /// a boolean field's keys never meet a string field's), nothing for other kinds (no requirement names them).
    /// </summary>
    public static string? KeyOf(EqlValue item) => item.Kind switch
    {
        EqlValueKind.String => item.AsString,
        EqlValueKind.Boolean => item.AsBoolean ? "true" : "false",
        _ => null,
    };

    /// <summary>Either requirement (an "or" of two conditions on the same field).</summary>
    public ValueRequirement<TEvent> Or(ValueRequirement<TEvent> other) =>
        new(Path, Accessor, Values.Concat(other.Values), Prefixes.Concat(other.Prefixes), Suffixes.Concat(other.Suffixes));

    /// <summary>The reference semantics the index must agree with: true when the key of some value of the field passes.</summary>
    public bool IsMetBy(TEvent document)
    {
        var value = Accessor(document);
        for (var i = 0; i < value.Count; i++)
        {
            if (KeyOf(value.ItemAt(i)) is not { } text)
            {
                continue;
            }

            if (Values.Contains(text)
                || Prefixes.Any(p => text.StartsWith(p, StringComparison.OrdinalIgnoreCase))
                || Suffixes.Any(s => text.EndsWith(s, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }
}
