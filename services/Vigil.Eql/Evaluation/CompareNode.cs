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
    public override bool Test(TEvent document)
    {
        var l = left.Evaluate(document);
        var r = right.Evaluate(document);
        if (!fieldQuery && (l.IsNull || r.IsNull))
        {
            return false;
        }

        return Holds(l, r);
    }

    /// <summary>field == "text" (either way round): some value of the field is that string (ordinal, so also ignoring case).</summary>
    internal override Requirement<TEvent> Requires => (op, left, right) switch
    {
        (ComparisonOperator.Equal, FieldNode<TEvent> fieldNode, ConstantNode<TEvent> { Value.Kind: EqlValueKind.String } constant) => EqualsRequirement(fieldNode, constant),
        (ComparisonOperator.Equal, ConstantNode<TEvent> { Value.Kind: EqlValueKind.String } constant, FieldNode<TEvent> fieldNode) => EqualsRequirement(fieldNode, constant),
        _ => Requirement<TEvent>.None,
    };

    public override EqlValue Evaluate(TEvent document)
    {
        var l = left.Evaluate(document);
        var r = right.Evaluate(document);
        return l.IsNull || r.IsNull ? EqlValue.Null : EqlValue.FromBoolean(Holds(l, r));
    }

    private static Requirement<TEvent> EqualsRequirement(FieldNode<TEvent> fieldNode, ConstantNode<TEvent> constant) =>
        Requirement<TEvent>.Of(new ValueRequirement<TEvent>(fieldNode.Path, fieldNode.Accessor, [constant.Value.AsString], []));

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
