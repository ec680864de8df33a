using System.Globalization;
using System.Text;
using Vigil.Eql.Syntax;

namespace Vigil.Eql.Kql;

/// <summary>
/// Parses KQL as Kibana's grammar defines it (packages/kbn-es-query kuery/grammar.peggy: or &lt; and &lt; not,
/// case-insensitive keywords that need spaces around them, unquoted values that may hold spaces, '*' the only wildcard,
/// <c>field:(a or b)</c>, <c>field:{ nested }</c>, ranges with &lt; &lt;= &gt; &gt;=), and the part of Lucene's query_string
/// syntax rules use (AND/OR/NOT, &amp;&amp; || !, +/- clauses, default operator OR, '*' and '?', "phrases", groups,
/// [a TO b] / {a TO b}, /regex/, _exists_:field). Stops at the first syntax error, located in the source.
/// </summary>
internal sealed class KqlParser
{
    private const string KqlSpecial = "\\():<>\"*{}";
    private const string LuceneSpecial = "+-=&|><!(){}[]^\"~*?:\\/";

    private readonly EqlSource source;
    private readonly string text;
    private readonly QueryDialect dialect;
    private readonly List<int> lineStarts = [0];
    private int pos;

    private KqlParser(EqlSource source, QueryDialect dialect)
    {
        this.source = source;
        this.text = source.Text;
        this.dialect = dialect;
        for (var i = 0; i < this.text.Length; i++)
        {
            if (this.text[i] == '\n')
            {
                lineStarts.Add(i + 1);
            }
        }
    }

    public static KqlNode Parse(EqlSource source, QueryDialect dialect)
    {
        var parser = new KqlParser(source, dialect);
        return dialect == QueryDialect.Kuery ? parser.ParseKuery() : parser.ParseLucene();
    }

    private bool AtEnd => pos >= text.Length;

    private char Current => text[pos];

    private SourceLocation Here => At(pos);

    private SourceLocation At(int offset)
    {
        var line = lineStarts.BinarySearch(offset);
        if (line < 0)
        {
            line = ~line - 1;
        }

        return this.source.Locate(line + 1, offset - lineStarts[line] + 1);
    }

    private EqlException Error(int offset, string message) => new(new EqlDiagnostic(At(offset), message));

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n' or '\u00A0';

    private int SkipSpaces()
    {
        var start = pos;
        while (!AtEnd && IsSpace(Current))
        {
            pos++;
        }

        return pos - start;
    }

    private bool Peek(char c) => !AtEnd && Current == c;

    private void Expect(char c, string what)
    {
        if (!Peek(c))
        {
            throw Error(pos, AtEnd ? $"the query ends where {what} was expected" : $"expected {what}, found '{Current}'");
        }

        pos++;
    }

    private bool WordAt(int offset, string word, bool ignoreCase) =>
        offset + word.Length <= this.text.Length
        && string.Compare(this.text, offset, word, 0, word.Length, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal) == 0;

    // ---------------------------------------------------------------- KQL

    private KqlNode ParseKuery()
    {
        SkipSpaces();
        if (AtEnd)
        {
            throw Error(0, "the query is empty");
        }

        var node = KOr();
        SkipSpaces();
        if (!AtEnd)
        {
            throw Error(pos, $"unexpected '{Current}': expected and, or, or the end of the query");
        }

        return node;
    }

    /// <summary>Kibana's "Or"/"And" tokens: at least one space, the word in any case, at least one space.</summary>
    private bool KBinary(string word)
    {
        var start = pos;
        if (SkipSpaces() > 0 && WordAt(pos, word, ignoreCase: true))
        {
            var after = pos + word.Length;
            if (after < this.text.Length && IsSpace(this.text[after]))
            {
                pos = after;
                SkipSpaces();
                return true;
            }
        }

        pos = start;
        return false;
    }

    private bool KNotAhead(int offset) => WordAt(offset, "not", ignoreCase: true) && offset + 3 < this.text.Length && IsSpace(this.text[offset + 3]);

    private bool KKeywordAhead(int offset)
    {
        if (KNotAhead(offset))
        {
            return true;
        }

        if (!IsSpace(this.text[offset]))
        {
            return false;
        }

        var i = offset;
        while (i < this.text.Length && IsSpace(this.text[i]))
        {
            i++;
        }

        foreach (var word in (string[])["or", "and"])
        {
            if (WordAt(i, word, ignoreCase: true) && i + word.Length < this.text.Length && IsSpace(this.text[i + word.Length]))
            {
                return true;
            }
        }

        return false;
    }

    private KqlNode KOr()
    {
        var start = Here;
        var items = new List<KqlNode> { KAnd() };
        while (KBinary("or"))
        {
            items.Add(KAnd());
        }

        return items.Count == 1 ? items[0] : new KqlOr(start, items);
    }

    private KqlNode KAnd()
    {
        var start = Here;
        var items = new List<KqlNode> { KNot() };
        while (KBinary("and"))
        {
            items.Add(KNot());
        }

        return items.Count == 1 ? items[0] : new KqlAnd(start, items);
    }

    private KqlNode KNot()
    {
        var start = Here;
        if (KNotAhead(pos))
        {
            pos += 3;
            SkipSpaces();
            return new KqlNot(start, KSub());
        }

        return KSub();
    }

    private KqlNode KSub()
    {
        if (Peek('('))
        {
            pos++;
            SkipSpaces();
            var inner = KOr();
            SkipSpaces();
            Expect(')', "')' to close the group");
            return inner;
        }

        return KExpression();
    }

    private KqlNode KExpression()
    {
        var start = pos;
        if (AtEnd)
        {
            throw Error(pos, "the query ends where a field was expected");
        }

        var field = KLiteral(asField: true);
        SkipSpaces();
        if (field.Text.Length == 0 && !field.Quoted)
        {
            throw Error(start, AtEnd ? "the query ends where a field was expected" : $"unexpected '{Current}': expected a field name");
        }

        if (Peek(':'))
        {
            pos++;
            SkipSpaces();
            if (field.IsMatchAll && Peek('*') && (pos + 1 == this.text.Length || IsSpace(this.text[pos + 1]) || this.text[pos + 1] == ')'))
            {
                // Kibana reads *:* as "every document".
                pos++;
                return new KqlAll(At(start));
            }

            if (Peek('{'))
            {
                pos++;
                SkipSpaces();
                var nested = KOr();
                SkipSpaces();
                Expect('}', "'}' to close the nested query");
                return Prefix(field.Text, nested);
            }

            return KListOfValues(FieldName(field, start), At(start));
        }

        if (RangeOperator() is { } op)
        {
            SkipSpaces();
            var valueStart = pos;
            var value = KLiteral(asField: false);
            if (value.Text.Length == 0 && !value.Quoted)
            {
                throw Error(valueStart, "expected a value after the range operator");
            }

            return new KqlRange(At(start), FieldName(field, start), op, value);
        }

        throw Error(start, $"'{field.Text}' has no field: Vigil runs field:value queries (a bare value would search every field)");
    }

    private string FieldName(KqlValue field, int start)
    {
        if (field.HasWildcards)
        {
            throw Error(start, $"field name '{field.Text}' has a wildcard: name the field exactly");
        }

        return field.Text;
    }

    private ComparisonOperator? RangeOperator()
    {
        if (Peek('<') || Peek('>'))
        {
            var less = Current == '<';
            pos++;
            var orEqual = Peek('=');
            if (orEqual)
            {
                pos++;
            }

            return (less, orEqual) switch
            {
                (true, false) => ComparisonOperator.Less,
                (true, true) => ComparisonOperator.LessOrEqual,
                (false, false) => ComparisonOperator.Greater,
                _ => ComparisonOperator.GreaterOrEqual,
            };
        }

        return null;
    }

    private KqlNode KListOfValues(string field, SourceLocation fieldAt)
    {
        if (Peek('('))
        {
            pos++;
            SkipSpaces();
            var inner = KOrValues(field, fieldAt);
            SkipSpaces();
            Expect(')', "')' to close the list of values");
            return inner;
        }

        return KValue(field, fieldAt);
    }

    private KqlNode KOrValues(string field, SourceLocation fieldAt)
    {
        var start = Here;
        var items = new List<KqlNode> { KAndValues(field, fieldAt) };
        while (KBinary("or"))
        {
            items.Add(KAndValues(field, fieldAt));
        }

        return items.Count == 1 ? items[0] : new KqlOr(start, items);
    }

    private KqlNode KAndValues(string field, SourceLocation fieldAt)
    {
        var start = Here;
        var items = new List<KqlNode> { KNotValues(field, fieldAt) };
        while (KBinary("and"))
        {
            items.Add(KNotValues(field, fieldAt));
        }

        return items.Count == 1 ? items[0] : new KqlAnd(start, items);
    }

    private KqlNode KNotValues(string field, SourceLocation fieldAt)
    {
        var start = Here;
        if (KNotAhead(pos))
        {
            pos += 3;
            SkipSpaces();
            return new KqlNot(start, KListOfValues(field, fieldAt));
        }

        return KListOfValues(field, fieldAt);
    }

    /// <summary>One value of <paramref name="field"/>; the node sits at the field (unknown fields are reported there).</summary>
    private KqlNode KValue(string field, SourceLocation fieldAt)
    {
        var start = pos;
        var value = KLiteral(asField: false);
        if (value.Text.Length == 0 && !value.Quoted)
        {
            throw Error(start, AtEnd ? $"the query ends where a value for '{field}' was expected" : $"unexpected '{Current}': expected a value for '{field}'");
        }

        return value.IsMatchAll ? new KqlExists(fieldAt, field) : new KqlTerm(fieldAt, field, value);
    }

    /// <summary>A quoted string or an unquoted literal (which may hold spaces, and is trimmed), with KQL's escapes.</summary>
    private KqlValue KLiteral(bool asField)
    {
        var start = pos;
        if (Peek('"'))
        {
            return QuotedString();
        }

        var text = new StringBuilder();
        var wildcards = new List<int>();
        while (!AtEnd)
        {
            var c = Current;
            if (c == '\\')
            {
                text.Append(KEscape());
                continue;
            }

            if (c == '*')
            {
                wildcards.Add(text.Length);
                text.Append('*');
                pos++;
                continue;
            }

            if (KqlSpecial.Contains(c, StringComparison.Ordinal) || KKeywordAhead(pos))
            {
                break;
            }

            text.Append(c);
            pos++;
        }

        _ = asField;
        return Trimmed(text.ToString(), wildcards, At(start));
    }

    private static KqlValue Trimmed(string raw, List<int> wildcards, SourceLocation location)
    {
        var lead = 0;
        while (lead < raw.Length && IsSpace(raw[lead]) && !wildcards.Contains(lead))
        {
            lead++;
        }

        var end = raw.Length;
        while (end > lead && IsSpace(raw[end - 1]) && !wildcards.Contains(end - 1))
        {
            end--;
        }

        return new KqlValue(raw[lead..end], wildcards.Select(w => w - lead).ToArray(), false, location);
    }

    private string KEscape()
    {
        var at = pos;
        pos++;
        if (AtEnd)
        {
            throw Error(at, "a backslash ends the query: escape a character after it");
        }

        var c = Current;
        switch (c)
        {
            case 't':
                pos++;
                return "\t";
            case 'r':
                pos++;
                return "\r";
            case 'n':
                pos++;
                return "\n";
            case 'u':
                return Unicode(at);
        }

        if (KqlSpecial.Contains(c, StringComparison.Ordinal))
        {
            pos++;
            return c.ToString();
        }

        foreach (var word in (string[])["or", "and", "not"])
        {
            if (WordAt(pos, word, ignoreCase: true))
            {
                var written = this.text.Substring(pos, word.Length);
                pos += word.Length;
                return written;
            }
        }

        throw Error(at, $"'\\{c}' is not an escape KQL knows: escape one of \\():<>\"*{{}}, a keyword, \\t, \\r, \\n or \\uXXXX");
    }

    private string Unicode(int at)
    {
        pos++;
        if (pos + 4 <= this.text.Length && int.TryParse(this.text.AsSpan(pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
        {
            pos += 4;
            return ((char)code).ToString();
        }

        throw Error(at, "\\u needs four hex digits");
    }

    private KqlValue QuotedString()
    {
        var start = pos;
        pos++;
        var text = new StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                throw Error(start, "this quoted value is never closed: add a '\"'");
            }

            var c = Current;
            if (c == '"')
            {
                pos++;
                break;
            }

            if (c == '\\' && pos + 1 < this.text.Length)
            {
                var next = this.text[pos + 1];
                if (next is '\\' or '"')
                {
                    text.Append(next);
                    pos += 2;
                    continue;
                }

                if (this.dialect == QueryDialect.Kuery && next is 't' or 'r' or 'n')
                {
                    text.Append(next switch { 't' => '\t', 'r' => '\r', _ => '\n' });
                    pos += 2;
                    continue;
                }

                if (next == 'u' && this.dialect == QueryDialect.Kuery)
                {
                    var at = pos;
                    pos++;
                    text.Append(Unicode(at));
                    continue;
                }

                if (this.dialect == QueryDialect.Lucene)
                {
                    // Lucene unescapes any character after a backslash.
                    text.Append(next);
                    pos += 2;
                    continue;
                }
            }

            text.Append(c);
            pos++;
        }

        return new KqlValue(text.ToString(), [], true, At(start));
    }

    private static KqlNode Prefix(string path, KqlNode node) => node switch
    {
        KqlAnd and => and with { Operands = and.Operands.Select(o => Prefix(path, o)).ToArray() },
        KqlOr or => or with { Operands = or.Operands.Select(o => Prefix(path, o)).ToArray() },
        KqlNot not => not with { Operand = Prefix(path, not.Operand) },
        KqlTerm term => term with { Field = path + "." + term.Field },
        KqlExists exists => exists with { Field = path + "." + exists.Field },
        KqlRange range => range with { Field = path + "." + range.Field },
        KqlRegex regex => regex with { Field = path + "." + regex.Field },
        _ => node,
    };

    // ---------------------------------------------------------------- Lucene

    private KqlNode ParseLucene()
    {
        SkipSpaces();
        if (AtEnd)
        {
            throw Error(0, "the query is empty");
        }

        var node = LQuery(field: null, closing: null);
        if (!AtEnd)
        {
            throw Error(pos, $"unexpected '{Current}'");
        }

        return node;
    }

    private enum Occur
    {
        Should,
        Must,
        MustNot,
    }

    /// <summary>
    /// A list of clauses: AND binds tighter than OR, adjacent clauses without an operator are OR (query_string's default
    /// operator), and when any clause is +required the optional ones stop mattering, as in Lucene's BooleanQuery.
    /// </summary>
    private KqlNode LQuery(string? field, char? closing, SourceLocation? fieldAt = null)
    {
        var start = Here;
        var groups = new List<List<(Occur Occur, KqlNode Node)>> { new() };
        var first = true;
        while (true)
        {
            SkipSpaces();
            if (AtEnd || (closing is { } c && Peek(c)))
            {
                break;
            }

            if (!first)
            {
                if (LOperator("AND", "&&"))
                {
                    SkipSpaces();
                }
                else if (LOperator("OR", "||"))
                {
                    SkipSpaces();
                    groups.Add([]);
                }
                else
                {
                    // Default operator OR between adjacent clauses.
                    groups.Add([]);
                }
            }

            var occur = Occur.Should;
            if (Peek('+'))
            {
                occur = Occur.Must;
                pos++;
            }
            else if (Peek('-') || Peek('!'))
            {
                occur = Occur.MustNot;
                pos++;
            }
            else if (WordAt(pos, "NOT", ignoreCase: false) && pos + 3 < this.text.Length && (IsSpace(this.text[pos + 3]) || this.text[pos + 3] == '('))
            {
                occur = Occur.MustNot;
                pos += 3;
                SkipSpaces();
            }

            groups[^1].Add((occur, LClause(field, fieldAt)));
            first = false;
        }

        if (groups.All(g => g.Count == 0))
        {
            throw Error(pos, "expected a clause");
        }

        var all = groups.SelectMany(g => g).ToList();
        if (all.Any(c => c.Occur == Occur.Must))
        {
            var required = all.Where(c => c.Occur != Occur.Should).Select(c => c.Occur == Occur.MustNot ? new KqlNot(c.Node.Location, c.Node) : c.Node).ToArray();
            return required.Length == 1 ? required[0] : new KqlAnd(start, required);
        }

        var alternatives = groups.Where(g => g.Count > 0).Select(g =>
        {
            var parts = g.Select(c => c.Occur == Occur.MustNot ? new KqlNot(c.Node.Location, c.Node) : c.Node).ToArray();
            return parts.Length == 1 ? parts[0] : new KqlAnd(parts[0].Location, parts);
        }).ToArray();
        return alternatives.Length == 1 ? alternatives[0] : new KqlOr(start, alternatives);
    }

    private bool LOperator(string word, string symbol)
    {
        if (WordAt(pos, symbol, ignoreCase: false))
        {
            pos += symbol.Length;
            return true;
        }

        if (WordAt(pos, word, ignoreCase: false) && pos + word.Length < this.text.Length && (IsSpace(this.text[pos + word.Length]) || this.text[pos + word.Length] == '('))
        {
            pos += word.Length;
            return true;
        }

        return false;
    }

    private KqlNode LClause(string? field, SourceLocation? fieldAt)
    {
        var start = pos;
        if (Peek('('))
        {
            pos++;
            var inner = LQuery(field, ')', fieldAt);
            Expect(')', "')' to close the group");
            LBoost();
            return inner;
        }

        if (field is null)
        {
            var name = LTerm();
            if (!Peek(':'))
            {
                throw Error(start, name.Text.Length == 0
                    ? $"unexpected '{(AtEnd ? "end of query" : Current.ToString())}': expected field:value"
                    : $"'{name.Text}' has no field: Vigil runs field:value queries (a bare value would search every field)");
            }

            pos++;
            if (name.HasWildcards)
            {
                if (name.IsMatchAll && Peek('*'))
                {
                    pos++;
                    return new KqlAll(At(start));
                }

                throw Error(start, $"field name '{name.Text}' has a wildcard: name the field exactly");
            }

            if (name.Text == "_exists_")
            {
                var target = LTerm();
                return new KqlExists(At(start), target.Text);
            }

            if (Peek('('))
            {
                pos++;
                var group = LQuery(name.Text, ')', At(start));
                Expect(')', "')' to close the group");
                LBoost();
                return group;
            }

            return LValue(name.Text, At(start));
        }

        return LValue(field, fieldAt ?? Here);
    }

    private KqlNode LValue(string field, SourceLocation fieldAt)
    {
        var start = pos;
        if (Peek('[') || Peek('{'))
        {
            return LRange(field);
        }

        if (RangeOperator() is { } op)
        {
            var bound = Peek('"') ? QuotedString() : LTerm();
            return new KqlRange(At(start), field, op, bound);
        }

        if (Peek('/'))
        {
            var end = this.text.IndexOf('/', pos + 1);
            while (end > 0 && this.text[end - 1] == '\\')
            {
                end = this.text.IndexOf('/', end + 1);
            }

            if (end < 0)
            {
                throw Error(start, "this regular expression is never closed: add a '/'");
            }

            var pattern = this.text[(pos + 1)..end].Replace("\\/", "/", StringComparison.Ordinal);
            pos = end + 1;
            return new KqlRegex(At(start), field, pattern);
        }

        var value = Peek('"') ? QuotedString() : LTerm();
        if (value.Text.Length == 0 && !value.Quoted)
        {
            throw Error(start, AtEnd ? $"the query ends where a value for '{field}' was expected" : $"unexpected '{Current}': expected a value for '{field}'");
        }

        if (Peek('~'))
        {
            throw Error(pos, "fuzzy and proximity searches (~) are not supported: Vigil matches terms exactly");
        }

        LBoost();
        return value.IsMatchAll ? new KqlExists(fieldAt, field) : new KqlTerm(fieldAt, field, value);
    }

    private KqlNode LRange(string field)
    {
        var start = pos;
        var inclusiveLow = Current == '[';
        pos++;
        SkipSpaces();
        var low = Peek('"') ? QuotedString() : LTerm();
        SkipSpaces();
        if (!WordAt(pos, "TO", ignoreCase: false))
        {
            throw Error(pos, "expected TO in the range");
        }

        pos += 2;
        SkipSpaces();
        var high = Peek('"') ? QuotedString() : LTerm();
        SkipSpaces();
        if (!(Peek(']') || Peek('}')))
        {
            throw Error(pos, "expected ']' or '}' to close the range");
        }

        var inclusiveHigh = Current == ']';
        pos++;
        var bounds = new List<KqlNode>();
        if (!low.IsMatchAll)
        {
            bounds.Add(new KqlRange(At(start), field, inclusiveLow ? ComparisonOperator.GreaterOrEqual : ComparisonOperator.Greater, low));
        }

        if (!high.IsMatchAll)
        {
            bounds.Add(new KqlRange(At(start), field, inclusiveHigh ? ComparisonOperator.LessOrEqual : ComparisonOperator.Less, high));
        }

        return bounds.Count switch
        {
            0 => new KqlExists(At(start), field),
            1 => bounds[0],
            _ => new KqlAnd(At(start), bounds),
        };
    }

    private void LBoost()
    {
        if (Peek('^'))
        {
            // A boost changes scores, not which events match.
            pos++;
            while (!AtEnd && (char.IsAsciiDigit(Current) || Current == '.'))
            {
                pos++;
            }
        }
    }

    /// <summary>A Lucene term: no spaces, special characters only escaped; '*' and '?' are wildcards.</summary>
    private KqlValue LTerm()
    {
        var start = pos;
        var text = new StringBuilder();
        var wildcards = new List<int>();
        while (!AtEnd)
        {
            var c = Current;
            if (c == '\\')
            {
                if (pos + 1 >= this.text.Length)
                {
                    throw Error(pos, "a backslash ends the query: escape a character after it");
                }

                text.Append(this.text[pos + 1]);
                pos += 2;
                continue;
            }

            if (c is '*' or '?')
            {
                wildcards.Add(text.Length);
                text.Append(c);
                pos++;
                continue;
            }

            // '-' and '+' are operators only at the start of a term (host-name is one term).
            var special = IsSpace(c) || (LuceneSpecial.Contains(c, StringComparison.Ordinal) && !(text.Length > 0 && c is '-' or '+'));
            if (special)
            {
                break;
            }

            text.Append(c);
            pos++;
        }

        return new KqlValue(text.ToString(), wildcards, false, At(start));
    }
}
