using Vigil.Eql.Documents;
using Vigil.Eql.Evaluation;
using Vigil.Eql.Indexing;
using Vigil.Eql.Sequences;

namespace Vigil.Eql;

/// <summary>One step (or the until clause) of a compiled query: its full condition (category included) and its join key readers.</summary>
internal sealed class CompiledStep<TEvent>(ValueNode<TEvent> condition, FieldAccessor<TEvent>[] keys, bool[] optionalKeys, SourceLocation location)
{
    public SourceLocation Location { get; } = location;

    public bool Matches(TEvent document) => condition.Test(document);

    /// <summary>What every event this step matches has in its fields (for the rule index).</summary>
    public Requirement<TEvent> Requires => condition.Requires;

    /// <summary>The event's join key for this step, or null when a required key field is null (such an event never joins).</summary>
    public JoinKey? KeyOf(TEvent document)
    {
        if (keys.Length == 0)
        {
            return JoinKey.Empty;
        }

        // One or two components (the usual host.id and one field): held in the key itself, no array.
        if (keys.Length <= 2)
        {
            if (!TryComponent(document, 0, out var first))
            {
                return null;
            }

            if (keys.Length == 1)
            {
                return new JoinKey(first);
            }

            return TryComponent(document, 1, out var second) ? new JoinKey(first, second) : null;
        }

        var values = new string?[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            if (!TryComponent(document, i, out values[i]))
            {
                return null;
            }
        }

        return new JoinKey(values);
    }

    /// <summary>The key component <paramref name="i"/> as text; false when it is null and not optional (the event never joins).</summary>
    private bool TryComponent(TEvent document, int i, out string? component)
    {
        var value = keys[i](document);
        if (value.IsNull)
        {
            // Elasticsearch: a join key must be non-null unless the key field is marked optional with '?'.
            component = null;
            return optionalKeys[i];
        }

        component = Canonical(value);
        return true;
    }

    private static string Canonical(EqlValue value)
    {
        if (!value.IsList)
        {
            return value.ToString();
        }

        var parts = new string[value.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = value.ItemAt(i).ToString();
        }

        return string.Join(JoinKey.ListSeparator, parts);
    }
}
