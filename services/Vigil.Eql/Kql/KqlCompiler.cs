using System.Globalization;
using System.Text;
using Vigil.Eql.Documents;
using Vigil.Eql.Evaluation;
using Vigil.Eql.Syntax;

namespace Vigil.Eql.Kql;

/// <summary>
/// Compiles a KQL or Lucene query to the same predicate an EQL single-event rule compiles to (<c>any where ...</c>,
/// the same field accessors and evaluation nodes), so a <c>query</c> rule costs what the equivalent EQL rule costs.
/// Values follow Elasticsearch's term-level semantics on ECS keyword fields: exact and case-sensitive, wildcards
/// case-sensitive too; a value is coerced to the field's type (numbers, booleans, dates as ISO-8601 or epoch millis).
/// Throws <see cref="EqlException"/> listing every problem, each at file:line:column.
/// </summary>
public static class KqlCompiler
{
    public static CompiledQuery<TEvent> Compile<TEvent>(string text, QueryDialect dialect, IEventSchema<TEvent> schema) =>
        Compile(EqlSource.Inline(text), dialect, schema);

    public static CompiledQuery<TEvent> Compile<TEvent>(EqlSource source, QueryDialect dialect, IEventSchema<TEvent> schema)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(schema);
        var syntax = KqlParser.Parse(source, dialect);
        var diagnostics = new List<EqlDiagnostic>();
        var condition = new Translator(schema.Fields, dialect, diagnostics).Translate(syntax);
        if (diagnostics.Count > 0)
        {
            throw new EqlException(diagnostics.OrderBy(d => d.Location.Line).ThenBy(d => d.Location.Column).ToArray());
        }

        var start = source.Locate(1, 1);
        return EqlCompiler.Compile(new EventQuery(source, new EventFilter(start, null, condition)), schema);
    }

    /// <summary>Rewrites the KQL tree as an EQL condition, coercing each value to its field's type.</summary>
    private sealed class Translator(FieldCatalog fields, QueryDialect dialect, List<EqlDiagnostic> diagnostics)
    {
        public EqlExpression Translate(KqlNode node) => node switch
        {
            KqlAnd and => and.Operands.Select(Translate).Aggregate((l, r) => new LogicalExpression(and.Location, LogicalOperator.And, l, r)),
            KqlOr or => or.Operands.Select(Translate).Aggregate((l, r) => new LogicalExpression(or.Location, LogicalOperator.Or, l, r)),
            KqlNot not => new NotExpression(not.Location, Translate(not.Operand)),
            KqlAll all => new LiteralExpression(all.Location, true),
            KqlExists exists => new ComparisonExpression(exists.Location, ComparisonOperator.NotEqual, Field(KeywordOf(exists.Field) ?? exists.Field, exists.Location), new LiteralExpression(exists.Location, null)),
            KqlTerm term when KeywordOf(term.Field) is { } keyword => TextTerm(term, keyword),
            KqlTerm term => Term(term),
            KqlRange range when KeywordOf(range.Field) is not null => Unsupported(range.Location, range.Field, "a range over analyzed text compares single words"),
            KqlRange range => Range(range),
            KqlRegex regex when KeywordOf(regex.Field) is not null => Unsupported(regex.Location, regex.Field, "a regular expression over analyzed text is matched against single words"),
            KqlRegex regex => new PatternExpression(regex.Location, PatternOperator.Regex, false, Field(regex.Field, regex.Location), [new LiteralExpression(regex.Location, regex.Pattern)]),
            _ => throw new InvalidOperationException($"Unknown KQL node {node.GetType().Name}."),
        };

        private static FieldExpression Field(string path, SourceLocation location) => new(location, path, Optional: false);

        /// <summary>
        /// The keyword field behind an ECS <c>.text</c> multi-field the contract does not hold itself, so the query runs
        /// on the analyzed text of that field; null for any other name.
        /// </summary>
        private string? KeywordOf(string path) =>
            !fields.TryResolve(path, out _, out _) && TextMultiFields.TryGetKeywordField(path, out var keyword) ? keyword : null;

        private LiteralExpression Unsupported(SourceLocation location, string path, string why)
        {
            Report(location, $"'{path}' is analyzed text: {why}, which Vigil does not run; query '{path[..^TextMultiFields.Suffix.Length]}' instead");
            return new LiteralExpression(location, false);
        }

        /// <summary>
        /// A value on a <c>.text</c> multi-field, as Kibana sends it to Elasticsearch: a quoted value is a match_phrase,
        /// an unquoted one a match query (any of its words), one with '*' a wildcard query on single words; the value is
        /// analyzed (or, for a wildcard, lower-cased) like the indexed text. A Lucene wildcard whose text between the
        /// wildcards the analyzer would split is refused as unsupported: Elasticsearch analyzes it (analyze_wildcard). A value that can never match is an error
        /// here rather than a rule that silently never fires.
        /// </summary>
        private EqlExpression TextTerm(KqlTerm term, string keyword)
        {
            var field = Field(keyword, term.Location);
            var value = term.Value;
            if (value.HasWildcards)
            {
                var wildcardAt = value.Wildcards.ToHashSet();
                var stray = value.Text.Where((c, i) => !wildcardAt.Contains(i) && !StandardAnalyzer.CanBeInToken(c)).Distinct().ToArray();
                if (stray.Length > 0 && dialect == QueryDialect.Lucene)
                {
                    // Kibana sends a Lucene rule as query_string with analyze_wildcard, so Elasticsearch analyzes the
                    // text between the wildcards into words and matches those instead: such a rule does match there.
                    Report(value.Location, $"unsupported: '{term.Field}' is analyzed text, and Elasticsearch runs the Lucene wildcard '{value.Text}' with analyze_wildcard, splitting the text between its wildcards at {string.Join(" and ", stray.Select(c => $"'{c}'"))} into words; Vigil does not run analyzed wildcards, so put the pattern on '{keyword}' to match the whole value");
                    return new LiteralExpression(term.Location, false);
                }

                if (stray.Length > 0)
                {
                    Report(value.Location, $"'{term.Field}' is analyzed text, so the wildcard '{value.Text}' is matched against single words, and words never hold {string.Join(" or ", stray.Select(c => $"'{c}'"))} (the standard analyzer splits there): it can never match; put the pattern on '{keyword}' to match the whole value");
                    return new LiteralExpression(term.Location, false);
                }

                return new TextMatchExpression(term.Location, field, term.Field, TextMatchKind.TokenWildcard, [], value.Text.ToLowerInvariant());
            }

            var tokens = StandardAnalyzer.Tokens(value.Text);
            if (tokens.Count == 0)
            {
                Report(value.Location, $"'{term.Field}' is analyzed text, and \"{value.Text}\" holds no word the standard analyzer indexes: it can never match");
                return new LiteralExpression(term.Location, false);
            }

            return new TextMatchExpression(term.Location, field, term.Field, value.Quoted ? TextMatchKind.Phrase : TextMatchKind.AnyToken, tokens, null);
        }

        private EqlFieldType? TypeOf(string path) => fields.TryResolve(path, out var field, out _) ? field.Type : null;

        private EqlExpression Term(KqlTerm term)
        {
            var field = Field(term.Field, term.Location);
            var type = TypeOf(term.Field);
            if (term.Value.HasWildcards)
            {
                if (type is not (null or EqlFieldType.String))
                {
                    Report(term.Value.Location, $"'{term.Field}' is not a text field, so '{term.Value.Text}' cannot be a wildcard pattern");
                    return new LiteralExpression(term.Location, false);
                }

                return Wildcard(field, term.Value);
            }

            return new ComparisonExpression(term.Location, ComparisonOperator.Equal, field, Coerce(term.Field, type, term.Value));
        }

        private EqlExpression Range(KqlRange range)
        {
            var type = TypeOf(range.Field);
            if (range.Value.HasWildcards)
            {
                Report(range.Value.Location, "a range bound cannot hold a wildcard");
            }

            return new ComparisonExpression(range.Location, range.Operator, Field(range.Field, range.Location), Coerce(range.Field, type, range.Value));
        }

        private LiteralExpression Coerce(string path, EqlFieldType? type, KqlValue value)
        {
            var text = value.Text;
            switch (type)
            {
                case EqlFieldType.Integer:
                    if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole))
                    {
                        return new LiteralExpression(value.Location, whole);
                    }

                    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var fraction))
                    {
                        return new LiteralExpression(value.Location, fraction);
                    }

                    Report(value.Location, $"'{path}' holds numbers, and \"{text}\" is not one");
                    return new LiteralExpression(value.Location, 0L);
                case EqlFieldType.Float:
                    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                    {
                        return new LiteralExpression(value.Location, number);
                    }

                    Report(value.Location, $"'{path}' holds numbers, and \"{text}\" is not one");
                    return new LiteralExpression(value.Location, 0d);
                case EqlFieldType.Boolean:
                    if (bool.TryParse(text, out var flag))
                    {
                        return new LiteralExpression(value.Location, flag);
                    }

                    Report(value.Location, $"'{path}' is true or false, and \"{text}\" is neither");
                    return new LiteralExpression(value.Location, false);
                case EqlFieldType.Time:
                    if (IsoTimestamp.TryParseNanoseconds(text, out var nanos))
                    {
                        return new LiteralExpression(value.Location, nanos);
                    }

                    // Elasticsearch's default date format also takes epoch milliseconds.
                    if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var millis))
                    {
                        return new LiteralExpression(value.Location, millis * 1_000_000);
                    }

                    Report(value.Location, $"'{path}' is a date, and \"{text}\" is neither ISO-8601 nor epoch milliseconds");
                    return new LiteralExpression(value.Location, 0L);
                default:
                    return new LiteralExpression(value.Location, text);
            }
        }

        /// <summary>
        /// A wildcard value becomes an EQL like pattern (case-sensitive, as Elasticsearch's wildcard query on a keyword
        /// field); when literal text holds a character the like syntax would read as a wildcard (an escaped '*', or a
        /// '?' in KQL, which has no '?' wildcard), it becomes an anchored regular expression instead.
        /// </summary>
        private PatternExpression Wildcard(FieldExpression field, KqlValue value)
        {
            var wildcardAt = value.Wildcards.ToHashSet();
            var literalLooksWild = value.Text.Select((c, i) => (c, i)).Any(p => p.c is '*' or '?' && !wildcardAt.Contains(p.i));
            if (!literalLooksWild)
            {
                return new PatternExpression(value.Location, PatternOperator.Like, false, field, [new LiteralExpression(value.Location, value.Text)]);
            }

            var regex = new StringBuilder();
            for (var i = 0; i < value.Text.Length; i++)
            {
                var c = value.Text[i];
                regex.Append(wildcardAt.Contains(i) ? (c == '*' ? ".*" : ".") : System.Text.RegularExpressions.Regex.Escape(c.ToString()));
            }

            _ = dialect;
            return new PatternExpression(value.Location, PatternOperator.Regex, false, field, [new LiteralExpression(value.Location, regex.ToString())]);
        }

        private void Report(SourceLocation location, string message) => diagnostics.Add(new EqlDiagnostic(location, message));
    }
}
