using Vigil.Eql.Documents;
using Vigil.Eql.Indexing;
using Vigil.Eql.Syntax;

namespace Vigil.Eql.Evaluation;

/// <summary>
/// == != &lt; &lt;= &gt; &gt;= against a multi-valued or single value. A list satisfies ==, &lt;, ... when any of its values
/// does. Elasticsearch runs a comparison of a plain field with a value as a term or range query, and != as must_not of
/// the term query, so a missing field satisfies != (<paramref name="fieldQuery"/>). Any other comparison (a function, an
/// arithmetic expression or a condition on one side) runs as a script, where a null operand makes the comparison null:
/// it matches no event, whatever the operator, and is null as a value.
/// </summary>
internal sealed class CompareNode<TEvent>(ValueNode<TEvent> left, ComparisonOperator op, ValueNode<TEvent> right, bool fieldQuery) : ConditionNode<TEvent>
{
    // The commonest condition of real rules (host.os.type == "macos", event.action == "exec") as a term query: a
    // field read and ordinal string comparisons, without the generic pairwise comparison of two values.
    private readonly FieldAccessor<TEvent>? termField = fieldQuery && op is ComparisonOperator.Equal or ComparisonOperator.NotEqual
        ? (left, right) switch
        {
            (FieldNode<TEvent> f, ConstantNode<TEvent> { Value.Kind: EqlValueKind.String }) => f.Accessor,
            (ConstantNode<TEvent> { Value.Kind: EqlValueKind.String }, FieldNode<TEvent> f) => f.Accessor,
            _ => null,
        }
        : null;

    private readonly string? termText = (left, right) switch
    {
        (FieldNode<TEvent>, ConstantNode<TEvent> { Value.Kind: EqlValueKind.String } c) => c.Value.AsString,
        (ConstantNode<TEvent> { Value.Kind: EqlValueKind.String } c, FieldNode<TEvent>) => c.Value.AsString,
        _ => null,
    };

    public override bool Test(TEvent document)
    {
        if (termField is not null)
        {
            return HasTerm(termField(document)) == (op == ComparisonOperator.Equal);
        }

        var l = left.Evaluate(document);
        var r = right.Evaluate(document);
        if (!fieldQuery && (l.IsNull || r.IsNull))
        {
            return false;
        }

        return Holds(l, r);
    }

    /// <summary>
    /// field == "text" or field == true/false (either way round): some value of the field is that string (ordinal, so
    /// also ignoring case) or that boolean (only a boolean equals a boolean, see <see cref="EqlValue.ScalarEquals"/>).
    /// </summary>
    internal override Requirement<TEvent> Requires => (op, left, right) switch
    {
        (ComparisonOperator.Equal, FieldNode<TEvent> fieldNode, ConstantNode<TEvent> { Value.Kind: EqlValueKind.String or EqlValueKind.Boolean } constant) => EqualsRequirement(fieldNode, constant),
        (ComparisonOperator.Equal, ConstantNode<TEvent> { Value.Kind: EqlValueKind.String or EqlValueKind.Boolean } constant, FieldNode<TEvent> fieldNode) => EqualsRequirement(fieldNode, constant),
        _ => Requirement<TEvent>.None,
    };

    public override EqlValue Evaluate(TEvent document)
    {
        var l = left.Evaluate(document);
        var r = right.Evaluate(document);
        return l.IsNull || r.IsNull ? EqlValue.Null : EqlValue.FromBoolean(Holds(l, r));
    }

    /// <summary>Some value of the field is <see cref="termText"/>, ordinally: what <see cref="AnyEqual"/> says of a string constant.</summary>
    private bool HasTerm(EqlValue value)
    {
        for (var i = 0; i < value.Count; i++)
        {
            var item = value.ItemAt(i);
            if (item.Kind == EqlValueKind.String && string.Equals(item.AsString, termText, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static Requirement<TEvent> EqualsRequirement(FieldNode<TEvent> fieldNode, ConstantNode<TEvent> constant) =>
        Requirement<TEvent>.Of(new ValueRequirement<TEvent>(fieldNode.Path, fieldNode.Accessor, [ValueRequirement<TEvent>.KeyOf(constant.Value)!], []));

    private bool Holds(EqlValue l, EqlValue r) => op switch
    {
        ComparisonOperator.Equal => AnyEqual(l, r),
        ComparisonOperator.NotEqual => !AnyEqual(l, r),
        _ => AnyOrdered(l, r),
    };

    private static bool AnyEqual(EqlValue l, EqlValue r)
    {
        for (var i = 0; i < l.Count; i++)
        {
            var a = l.ItemAt(i);
            for (var j = 0; j < r.Count; j++)
            {
                if (a.ScalarEquals(r.ItemAt(j)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool AnyOrdered(EqlValue l, EqlValue r)
    {
        for (var i = 0; i < l.Count; i++)
        {
            var a = l.ItemAt(i);
            for (var j = 0; j < r.Count; j++)
            {
                if (a.ScalarCompare(r.ItemAt(j)) is { } order && Holds(order))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool Holds(int order) => op switch
    {
        ComparisonOperator.Less => order < 0,
        ComparisonOperator.LessOrEqual => order <= 0,
        ComparisonOperator.Greater => order > 0,
        _ => order >= 0,
    };
}
