using Vigil.Eql.Documents;
using Vigil.Eql.Syntax;

namespace Vigil.Eql.Evaluation;

/// <summary>
/// == != &lt; &lt;= &gt; &gt;= against a multi-valued or single value. A list satisfies ==, &lt;, ... when any of its values
/// does; != is the negation of == (no value equals), which makes a missing field satisfy != as Elasticsearch's
/// must_not does.
/// </summary>
internal sealed class CompareNode<TEvent>(ValueNode<TEvent> left, ComparisonOperator op, ValueNode<TEvent> right) : ConditionNode<TEvent>
{
    public override bool Test(TEvent document)
    {
        var l = left.Evaluate(document);
        var r = right.Evaluate(document);
        return op switch
        {
            ComparisonOperator.Equal => AnyEqual(l, r),
            ComparisonOperator.NotEqual => !AnyEqual(l, r),
            _ => AnyOrdered(l, r),
        };
    }

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
