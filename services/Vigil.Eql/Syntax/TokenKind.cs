namespace Vigil.Eql.Syntax;

/// <summary>Kinds of EQL tokens.</summary>
internal enum TokenKind
{
    End,
    Identifier,
    QuotedIdentifier,
    String,
    Integer,
    Decimal,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    Dot,
    Colon,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Assign,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Pipe,
    Question,
    Bang,
}
