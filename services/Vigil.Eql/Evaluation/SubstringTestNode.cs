using Vigil.Eql.Documents;

namespace Vigil.Eql.Evaluation;

/// <summary>What <see cref="SubstringTestNode{TEvent}"/> checks.</summary>
internal enum SubstringTest
{
    StartsWith,
    EndsWith,
    Contains,
}

/// <summary>
/// startsWith / endsWith / stringContains (and their ~ variants): true when any value of the source passes; null when
/// the source or the substring is null. stringContains with an empty substring is false, as Elasticsearch documents.
/// </summary>
internal sealed class SubstringTestNode<TEvent>(ValueNode<TEvent> source, ValueNode<TEvent> substring, SubstringTest test, bool ignoreCase)
    : ValueNode<TEvent>
{
    private readonly StringComparison comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public override EqlValue Evaluate(TEvent document)
    {
        var values = source.Evaluate(document);
        var part = substring.Evaluate(document).First;
        if (values.IsNull || part.Kind != EqlValueKind.String)
        {
            return EqlValue.Null;
        }

        var needle = part.AsString;
        for (var i = 0; i < values.Count; i++)
        {
            var item = values.ItemAt(i);
            if (item.Kind == EqlValueKind.String && Passes(item.AsString, needle))
            {
                return EqlValue.True;
            }
        }

        return EqlValue.False;
    }

    private bool Passes(string value, string needle) => test switch
    {
        SubstringTest.StartsWith => value.StartsWith(needle, comparison),
        SubstringTest.EndsWith => value.EndsWith(needle, comparison),
        _ => needle.Length > 0 && value.Contains(needle, comparison),
    };
}
