using Vigil.Eql.Documents;
using Vigil.Eql.Indexing;

namespace Vigil.Eql.Evaluation;

/// <summary><c>value : "a*"</c>, <c>like</c>, <c>regex</c>, <c>wildcard(...)</c>: any string value matching any pattern.</summary>
internal sealed class PatternNode<TEvent>(ValueNode<TEvent> value, StringMatcher[] patterns) : ConditionNode<TEvent>
{
    /// <summary>As a value, a null operand gives null (Elasticsearch's script); as a filter it simply does not match.</summary>
    public override EqlValue Evaluate(TEvent document) =>
        value.Evaluate(document).IsNull ? EqlValue.Null : EqlValue.FromBoolean(Test(document));

    /// <summary>
    /// field : ("a", "/tmp/*", "*.plist"): some value of the field equals a pattern without wildcards, starts with the
    /// text before a pattern's first wildcard, or ends with the text after its last one (whichever of the two is
    /// longer, so the more selective). A pattern with wildcards at both ends, or a regular expression, allows any value.
    /// </summary>
    internal override Requirement<TEvent> Requires
    {
        get
        {
            if (value is not FieldNode<TEvent> fieldNode)
            {
                return Requirement<TEvent>.None;
            }

            var values = new List<string>();
            var prefixes = new List<string>();
            var suffixes = new List<string>();
            foreach (var pattern in patterns)
            {
                if (pattern is not WildcardPattern wildcard)
                {
                    return Requirement<TEvent>.None;
                }

                if (wildcard.IsExact)
                {
                    values.Add(wildcard.LiteralPrefix);
                    continue;
                }

                var prefix = wildcard.LiteralPrefix;
                var suffix = wildcard.LiteralSuffix;
                if (prefix.Length == 0 && suffix.Length == 0)
                {
                    return Requirement<TEvent>.None;
                }

                (prefix.Length >= suffix.Length ? prefixes : suffixes).Add(prefix.Length >= suffix.Length ? prefix : suffix);
            }

            return Requirement<TEvent>.Of(new ValueRequirement<TEvent>(fieldNode.Path, fieldNode.Accessor, values, prefixes, suffixes));
        }
    }

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
