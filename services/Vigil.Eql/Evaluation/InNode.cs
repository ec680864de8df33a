using Vigil.Eql.Documents;
using Vigil.Eql.Indexing;

namespace Vigil.Eql.Evaluation;

/// <summary>
/// <c>value in (...)</c> / <c>in~</c>: strings are looked up in a hash set (ordinal or case-insensitive), other literals
/// compared one by one. <c>not in</c> is the negation (no value is in the list), so a missing field is "not in".
/// </summary>
internal sealed class InNode<TEvent> : ConditionNode<TEvent>
{
    private readonly ValueNode<TEvent> value;
    private readonly HashSet<string> strings;

    // Up to a handful of strings (event.type in ("start", "process_started")), comparing each is cheaper than hashing.
    private readonly string[]? few;
    private readonly StringComparison comparison;
    private readonly EqlValue[] others;
    private readonly bool containsNull;
    private readonly bool negated;

    private readonly bool fieldQuery;

    /// <param name="fieldQuery">
    /// True when the value is a plain field: Elasticsearch runs <c>in</c> as a terms query and <c>not in</c> as its
    /// must_not, so a missing field is "not in". Otherwise (a script) a null value matches neither.
    /// </param>
    public InNode(ValueNode<TEvent> value, IEnumerable<EqlValue> items, bool ignoreCase, bool negated, bool fieldQuery = true)
    {
        this.value = value;
        this.negated = negated;
        this.fieldQuery = fieldQuery;
        var list = items.ToList();
        strings = new HashSet<string>(
            list.Where(i => i.Kind == EqlValueKind.String).Select(i => i.AsString),
            ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        few = strings.Count <= 4 ? strings.ToArray() : null;
        comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        others = list.Where(i => i.Kind is not (EqlValueKind.String or EqlValueKind.Null)).ToArray();
        containsNull = list.Any(i => i.IsNull);
    }

    /// <summary>
    /// field in ("a", "b"): some value of the field is one of the strings. Only for a plain field and a list of strings
    /// without null (a null or a number in the list could be met by a value that is no string).
    /// </summary>
    internal override Requirement<TEvent> Requires =>
        !negated && value is FieldNode<TEvent> fieldNode && others.Length == 0 && !containsNull
            ? Requirement<TEvent>.Of(new ValueRequirement<TEvent>(fieldNode.Path, fieldNode.Accessor, strings, []))
            : Requirement<TEvent>.None;

    public override bool Test(TEvent document)
    {
        var value = this.value.Evaluate(document);
        if (!this.fieldQuery && value.IsNull && !containsNull)
        {
            return false;
        }

        return Contains(value) != this.negated;
    }

    public override EqlValue Evaluate(TEvent document)
    {
        var value = this.value.Evaluate(document);
        return value.IsNull && !containsNull ? EqlValue.Null : EqlValue.FromBoolean(Contains(value) != this.negated);
    }

    private bool Contains(EqlValue value)
    {
        if (value.IsNull)
        {
            return containsNull;
        }

        for (var i = 0; i < value.Count; i++)
        {
            var item = value.ItemAt(i);
            if (item.Kind == EqlValueKind.String)
            {
                if (ContainsString(item.AsString))
                {
                    return true;
                }

                continue;
            }

            foreach (var other in others)
            {
                if (item.ScalarEquals(other))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool ContainsString(string text)
    {
        if (few is null)
        {
            return strings.Contains(text);
        }

        foreach (var candidate in few)
        {
            if (string.Equals(text, candidate, comparison))
            {
                return true;
            }
        }

        return false;
    }
}
