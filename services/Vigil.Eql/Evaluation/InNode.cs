using Vigil.Eql.Documents;
using Vigil.Eql.Indexing;

namespace Vigil.Eql.Evaluation;

/// <summary>
/// <c>value in (...)</c> / <c>in~</c>: strings are looked up in a hash set (ordinal or case-insensitive), other literals
/// compared one by one. <c>not in</c> is the negation (no value is in the list), so a missing field is "not in".
/// </summary>
internal sealed class InNode<TEvent> : ConditionNode<TEvent>
{
    private readonly ValueNode<TEvent> _value;
    private readonly HashSet<string> _strings;
    private readonly EqlValue[] _others;
    private readonly bool _containsNull;
    private readonly bool _negated;

    private readonly bool _fieldQuery;

    /// <param name="fieldQuery">
    /// True when the value is a plain field: Elasticsearch runs <c>in</c> as a terms query and <c>not in</c> as its
    /// must_not, so a missing field is "not in". Otherwise (a script) a null value matches neither.
    /// </param>
    public InNode(ValueNode<TEvent> value, IEnumerable<EqlValue> items, bool ignoreCase, bool negated, bool fieldQuery = true)
    {
        _value = value;
        _negated = negated;
        _fieldQuery = fieldQuery;
        var list = items.ToList();
        _strings = new HashSet<string>(
            list.Where(i => i.Kind == EqlValueKind.String).Select(i => i.AsString),
            ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        _others = list.Where(i => i.Kind is not (EqlValueKind.String or EqlValueKind.Null)).ToArray();
        _containsNull = list.Any(i => i.IsNull);
    }

    /// <summary>
    /// field in ("a", "b"): some value of the field is one of the strings. Only for a plain field and a list of strings
    /// without null (a null or a number in the list could be met by a value that is no string).
    /// </summary>
    internal override Requirement<TEvent> Requires =>
        !_negated && _value is FieldNode<TEvent> fieldNode && _others.Length == 0 && !_containsNull
            ? Requirement<TEvent>.Of(new ValueRequirement<TEvent>(fieldNode.Path, fieldNode.Accessor, _strings, []))
            : Requirement<TEvent>.None;

    public override bool Test(TEvent document)
    {
        var value = _value.Evaluate(document);
        if (!_fieldQuery && value.IsNull && !_containsNull)
        {
            return false;
        }

        return Contains(value) != _negated;
    }

    public override EqlValue Evaluate(TEvent document)
    {
        var value = _value.Evaluate(document);
        return value.IsNull && !_containsNull ? EqlValue.Null : EqlValue.FromBoolean(Contains(value) != _negated);
    }

    private bool Contains(EqlValue value)
    {
        if (value.IsNull)
        {
            return _containsNull;
        }

        for (var i = 0; i < value.Count; i++)
        {
            var item = value.ItemAt(i);
            if (item.Kind == EqlValueKind.String)
            {
                if (_strings.Contains(item.AsString))
                {
                    return true;
                }

                continue;
            }

            foreach (var other in _others)
            {
                if (item.ScalarEquals(other))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
