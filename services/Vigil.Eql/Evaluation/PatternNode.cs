using Vigil.Eql.Documents;

namespace Vigil.Eql.Evaluation;

/// <summary><c>value : "a*"</c>, <c>like</c>, <c>regex</c>, <c>wildcard(...)</c>: any string value matching any pattern.</summary>
internal sealed class PatternNode<TEvent>(ValueNode<TEvent> value, StringMatcher[] patterns) : ConditionNode<TEvent>
{
    /// <summary>As a value, a null operand gives null (Elasticsearch's script); as a filter it simply does not match.</summary>
    public override EqlValue Evaluate(TEvent document) =>
        value.Evaluate(document).IsNull ? EqlValue.Null : EqlValue.FromBoolean(Test(document));

    public override bool Test(TEvent document)
    {
        var v = value.Evaluate(document);
        for (var i = 0; i < v.Count; i++)
        {
            var item = v.ItemAt(i);
            if (item.Kind != EqlValueKind.String)
            {
                continue;
            }

            var text = item.AsString;
            foreach (var pattern in patterns)
            {
                if (pattern.Matches(text))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
