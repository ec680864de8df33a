namespace Vigil.Eql.Syntax;

/// <summary>How a <see cref="TextMatchExpression"/> tests the tokens of a field's analyzed text.</summary>
public enum TextMatchKind
{
    /// <summary>An unquoted value: Elasticsearch's match query, true when the text holds any of the value's tokens.</summary>
    AnyToken,

    /// <summary>A quoted value: match_phrase, true when the value's tokens occur in the text one after another.</summary>
    Phrase,

    /// <summary>An unquoted value with '*': a wildcard query, true when one token of the text fits the pattern.</summary>
    TokenWildcard,
}
