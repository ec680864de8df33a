using Vigil.Eql.Documents;
using Vigil.Eql.Syntax;

namespace Vigil.Eql.Evaluation;

/// <summary>
/// A query on a <c>.text</c> multi-field: tokenizes each value of the keyword field the way Elasticsearch indexed it
/// (<see cref="StandardAnalyzer"/>) and tests the tokens. Each value of a list is its own text, as Elasticsearch's
/// position gap between values keeps a phrase from spanning two of them. A missing field is false (and true under
/// <c>not</c>), like every term-level test.
/// </summary>
internal sealed class AnalyzedTextNode<TEvent>(ValueNode<TEvent> source, TextMatchKind kind, IReadOnlyList<string> tokens, WildcardPattern? pattern)
    : ValueNode<TEvent>
{
    private readonly HashSet<string> anyOf = new(tokens, StringComparer.Ordinal);

    public override EqlValue Evaluate(TEvent document)
    {
        var values = source.Evaluate(document);
        if (values.IsNull)
        {
            return EqlValue.False;
        }

        for (var i = 0; i < values.Count; i++)
        {
            var item = values.ItemAt(i);
            if (item.Kind == EqlValueKind.String && Matches(StandardAnalyzer.Tokens(item.AsString)))
            {
                return EqlValue.True;
            }
        }

        return EqlValue.False;
    }

    private bool Matches(List<string> text) => kind switch
    {
        TextMatchKind.AnyToken => text.Exists(anyOf.Contains),
        TextMatchKind.Phrase => ContainsPhrase(text),
        _ => text.Exists(token => pattern!.Matches(token)),
    };

    private bool ContainsPhrase(List<string> text)
    {
        for (var start = 0; start + tokens.Count <= text.Count; start++)
        {
            var all = true;
            for (var k = 0; k < tokens.Count && all; k++)
            {
                all = string.Equals(text[start + k], tokens[k], StringComparison.Ordinal);
            }

            if (all)
            {
                return true;
            }
        }

        return false;
    }
}
