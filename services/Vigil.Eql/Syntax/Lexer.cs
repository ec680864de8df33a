using System.Globalization;
using System.Text;

namespace Vigil.Eql.Syntax;

/// <summary>
/// Splits EQL text into tokens as Elasticsearch's grammar does: double-quoted strings with \n \r \t \\ \" and
/// \u{XXXX} escapes, raw """strings""", backtick-quoted field names, // and /* */ comments.
/// </summary>
internal sealed class Lexer(EqlSource source)
{
    private readonly string text = source.Text;
    private int position;
    private int line = 1;
    private int column = 1;

    public IReadOnlyList<Token> Tokenize()
    {
        var tokens = new List<Token>();
        while (true)
        {
            SkipTrivia();
            var token = Next();
            tokens.Add(token);
            if (token.Kind == TokenKind.End)
            {
                return tokens;
            }
        }
    }

    private char Current => position < text.Length ? text[position] : '\0';

    private char Peek(int offset = 1) => position + offset < text.Length ? text[position + offset] : '\0';

    private bool AtEnd => position >= text.Length;

    private void Advance()
    {
        if (this.text[position] == '\n')
        {
            this.line++;
            this.column = 1;
        }
        else
        {
            this.column++;
        }

        position++;
    }

    private EqlException Error(int line, int column, string message) =>
        new(new EqlDiagnostic(source.Locate(line, column), message));

    private void SkipTrivia()
    {
        while (!AtEnd)
        {
            if (char.IsWhiteSpace(Current))
            {
                Advance();
            }
            else if (Current == '/' && Peek() == '/')
            {
                while (!AtEnd && Current != '\n')
                {
                    Advance();
                }
            }
            else if (Current == '/' && Peek() == '*')
            {
                var (line, column) = (this.line, this.column);
                Advance();
                Advance();
                while (!(Current == '*' && Peek() == '/'))
                {
                    if (AtEnd)
                    {
                        throw Error(line, column, "unterminated comment: expected '*/'");
                    }

                    Advance();
                }

                Advance();
                Advance();
            }
            else
            {
                return;
            }
        }
    }

    private Token Next()
    {
        var (line, column) = (this.line, this.column);
        if (AtEnd)
        {
            return new Token(TokenKind.End, string.Empty, line, column);
        }

        var c = Current;
        if (c == '"')
        {
            return this.text.AsSpan(position).StartsWith("\"\"\"") ? RawString(line, column) : String(line, column);
        }

        if (c == '\'')
        {
            throw Error(line, column, "single-quoted strings are not supported: enclose strings in double quotes");
        }

        if (c == '`')
        {
            return QuotedIdentifier(line, column);
        }

        if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek()) && !PreviousWasNameCharacter()))
        {
            return Number(line, column);
        }

        if (IsIdentifierStart(c))
        {
            return Identifier(line, column);
        }

        Advance();
        return c switch
        {
            '(' => Simple(TokenKind.LeftParen, "(", line, column),
            ')' => Simple(TokenKind.RightParen, ")", line, column),
            '[' => Simple(TokenKind.LeftBracket, "[", line, column),
            ']' => Simple(TokenKind.RightBracket, "]", line, column),
            ',' => Simple(TokenKind.Comma, ",", line, column),
            '.' => Simple(TokenKind.Dot, ".", line, column),
            ':' => Simple(TokenKind.Colon, ":", line, column),
            '+' => Simple(TokenKind.Plus, "+", line, column),
            '-' => Simple(TokenKind.Minus, "-", line, column),
            '*' => Simple(TokenKind.Star, "*", line, column),
            '/' => Simple(TokenKind.Slash, "/", line, column),
            '%' => Simple(TokenKind.Percent, "%", line, column),
            '|' => Simple(TokenKind.Pipe, "|", line, column),
            '?' => Simple(TokenKind.Question, "?", line, column),
            '=' when Current == '=' => Two(TokenKind.Equal, "==", line, column),
            '=' => Simple(TokenKind.Assign, "=", line, column),
            '!' when Current == '=' => Two(TokenKind.NotEqual, "!=", line, column),
            '!' => Simple(TokenKind.Bang, "!", line, column),
            '<' when Current == '=' => Two(TokenKind.LessOrEqual, "<=", line, column),
            '<' => Simple(TokenKind.Less, "<", line, column),
            '>' when Current == '=' => Two(TokenKind.GreaterOrEqual, ">=", line, column),
            '>' => Simple(TokenKind.Greater, ">", line, column),
            _ => throw Error(line, column, $"unexpected character '{c}'"),
        };
    }

    private static Token Simple(TokenKind kind, string text, int line, int column) => new(kind, text, line, column);

    private Token Two(TokenKind kind, string text, int line, int column)
    {
        Advance();
        return new Token(kind, text, line, column);
    }

    private bool PreviousWasNameCharacter() => position > 0 && IsIdentifierPart(text[position - 1]);

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_' || c == '@';

    private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '@';

    private Token Identifier(int line, int column)
    {
        var start = position;
        while (!AtEnd && IsIdentifierPart(Current))
        {
            Advance();
        }

        var name = this.text[start..position];
        var tilde = false;
        if (Current == '~')
        {
            Advance();
            tilde = true;
        }

        return new Token(TokenKind.Identifier, name, line, column, tilde);
    }

    private Token QuotedIdentifier(int line, int column)
    {
        Advance();
        var builder = new StringBuilder();
        while (true)
        {
            if (AtEnd || Current == '\n')
            {
                throw Error(line, column, "unterminated field name: expected a closing '`'");
            }

            if (Current == '`')
            {
                if (Peek() == '`')
                {
                    builder.Append('`');
                    Advance();
                    Advance();
                    continue;
                }

                Advance();
                break;
            }

            builder.Append(Current);
            Advance();
        }

        if (builder.Length == 0)
        {
            throw Error(line, column, "empty field name between backticks");
        }

        return new Token(TokenKind.QuotedIdentifier, builder.ToString(), line, column);
    }

    private Token Number(int line, int column)
    {
        var start = position;
        var isDecimal = false;
        while (char.IsAsciiDigit(Current))
        {
            Advance();
        }

        if (Current == '.' && char.IsAsciiDigit(Peek()))
        {
            isDecimal = true;
            Advance();
            while (char.IsAsciiDigit(Current))
            {
                Advance();
            }
        }

        if ((Current == 'e' || Current == 'E') && (char.IsAsciiDigit(Peek()) || ((Peek() == '+' || Peek() == '-') && char.IsAsciiDigit(Peek(2)))))
        {
            isDecimal = true;
            Advance();
            if (Current is '+' or '-')
            {
                Advance();
            }

            while (char.IsAsciiDigit(Current))
            {
                Advance();
            }
        }

        var text = this.text[start..position];
        if (isDecimal)
        {
            return new Token(TokenKind.Decimal, text, line, column, Decimal: double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(line, column, $"number {text} is too large (the largest integer is {long.MaxValue})");
        }

        return new Token(TokenKind.Integer, text, line, column, Integer: value);
    }

    private Token RawString(int line, int column)
    {
        Advance();
        Advance();
        Advance();
        var start = position;
        while (!this.text.AsSpan(position).StartsWith("\"\"\""))
        {
            if (AtEnd)
            {
                throw Error(line, column, "unterminated raw string: expected a closing '\"\"\"'");
            }

            Advance();
        }

        var value = this.text[start..position];
        Advance();
        Advance();
        Advance();
        if (Current == '"')
        {
            throw Error(this.line, this.column, "a raw string cannot contain three consecutive double quotes: use a regular string with \\\" escapes");
        }

        return new Token(TokenKind.String, value, line, column);
    }

    private Token String(int line, int column)
    {
        Advance();
        var builder = new StringBuilder();
        while (true)
        {
            if (AtEnd || Current == '\n' || Current == '\r')
            {
                throw Error(line, column, "unterminated string: expected a closing '\"' on the same line");
            }

            var c = Current;
            if (c == '"')
            {
                Advance();
                return new Token(TokenKind.String, builder.ToString(), line, column);
            }

            if (c != '\\')
            {
                builder.Append(c);
                Advance();
                continue;
            }

            var (escapeLine, escapeColumn) = (this.line, this.column);
            Advance();
            var escaped = Current;
            switch (escaped)
            {
                case 'n': builder.Append('\n'); Advance(); break;
                case 'r': builder.Append('\r'); Advance(); break;
                case 't': builder.Append('\t'); Advance(); break;
                case '\\': builder.Append('\\'); Advance(); break;
                case '"': builder.Append('"'); Advance(); break;
                case 'u': Advance(); builder.Append(UnicodeEscape(escapeLine, escapeColumn)); break;
                case '\'':
                    throw Error(escapeLine, escapeColumn, "the escape \\' is reserved: use \\\" for a double quote");
                default:
                    throw Error(escapeLine, escapeColumn,
                        $"unknown escape sequence '\\{(AtEnd ? string.Empty : escaped.ToString())}': expected one of \\n \\r \\t \\\\ \\\" \\u{{XXXX}}");
            }
        }
    }

    private string UnicodeEscape(int line, int column)
    {
        if (Current != '{')
        {
            throw Error(line, column, "a unicode escape is written \\u{XXXX} with 2 to 8 hex digits");
        }

        Advance();
        var start = position;
        while (char.IsAsciiHexDigit(Current))
        {
            Advance();
        }

        var digits = this.text[start..position];
        if (Current != '}' || digits.Length is < 2 or > 8)
        {
            throw Error(line, column, "a unicode escape is written \\u{XXXX} with 2 to 8 hex digits");
        }

        Advance();
        var codePoint = long.Parse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        if (codePoint > 0x10FFFF || codePoint is >= 0xD800 and <= 0xDFFF)
        {
            throw Error(line, column, $"\\u{{{digits}}} is not a valid unicode code point");
        }

        return char.ConvertFromUtf32((int)codePoint);
    }
}
