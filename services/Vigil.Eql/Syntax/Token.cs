namespace Vigil.Eql.Syntax;

/// <summary>
/// One lexed token. <see cref="Text"/> is the identifier name or the decoded string value;
/// <see cref="Tilde"/> marks an identifier written with a trailing '~' (like~, in~, regex~, startsWith~).
/// </summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Line, int Column, bool Tilde = false, long Integer = 0, double Decimal = 0)
{
    public bool IsKeyword(string keyword) => Kind == TokenKind.Identifier && string.Equals(Text, keyword, StringComparison.Ordinal);

    /// <summary>How the token reads in an error message.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.End => "end of query",
        TokenKind.String => $"string \"{Text}\"",
        TokenKind.Identifier => $"'{Text}{(Tilde ? "~" : string.Empty)}'",
        TokenKind.QuotedIdentifier => $"`{Text}`",
        _ => $"'{Text}'",
    };
}
