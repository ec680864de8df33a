using Vigil.Eql.Syntax;

namespace Vigil.Eql.UnitTests;

public sealed class ParserTests
{
    private static EqlDiagnostic ParseError(string query, EqlSource? source = null) =>
        Assert.Throws<EqlException>(() => EqlParser.Parse(source ?? EqlSource.Inline(query))).First;

    private static string StringOf(string query)
    {
        var parsed = (EventQuery)EqlParser.Parse($"process where process.name == {query}");
        return (string)((LiteralExpression)((ComparisonExpression)parsed.Filter.Condition).Right).Value!;
    }

    [Fact]
    public void AMissingClosingBracketIsReportedWhereTheStepEnds()
    {
        var error = ParseError("sequence [process where true] [network where true");

        Assert.Equal(new SourceLocation("query", 1, 50), error.Location);
        Assert.Equal("expected ']' after step condition, found the end of the query", error.Message);
    }

    [Fact]
    public void AStrayTokenInsideAStepSaysABracketWasExpected()
    {
        var error = ParseError("sequence\n  [process where process.name == \"a\" \"b\"]\n  [network where true]");

        Assert.Equal(new SourceLocation("query", 2, 38), error.Location);
        Assert.Equal("expected ']' after step condition, found string \"b\"", error.Message);
    }

    [Fact]
    public void AMaxspanWithoutUnitSaysSo()
    {
        var error = ParseError("sequence with maxspan=30 [process where true] [process where true]");

        Assert.Equal(new SourceLocation("query", 1, 23), error.Location);
        Assert.Equal("maxspan needs a unit (ms, s, m, h or d), as in maxspan=30s", error.Message);
    }

    [Fact]
    public void AnUnknownTimeUnitIsNamed()
    {
        var error = ParseError("sequence with maxspan=30sec [process where true] [process where true]");

        Assert.Equal(new SourceLocation("query", 1, 25), error.Location);
        Assert.Equal("unknown time unit 'sec' in maxspan: expected ms, s, m, h or d", error.Message);
    }

    [Fact]
    public void PositionsInsideAnEmbeddedQueryPointIntoTheEnclosingFile()
    {
        var source = new EqlSource("rules/x.toml", "process where\n  process.name == 'x'", FirstLine: 12, FirstColumn: 9);

        var error = ParseError(string.Empty, source);

        Assert.Equal(new SourceLocation("rules/x.toml", 13, 19), error.Location);
        Assert.Equal("single-quoted strings are not supported: enclose strings in double quotes", error.Message);
        Assert.Equal("rules/x.toml:13:19: single-quoted strings are not supported: enclose strings in double quotes", error.ToString());
    }

    [Fact]
    public void UppercaseKeywordsGetAHint()
    {
        var error = ParseError("process where process.name == \"a\" AND process.pid == 1");

        Assert.Equal("expected 'and', 'or', or the end of the query, found 'AND' (EQL keywords are lowercase)", error.Message);
        Assert.Equal(35, error.Location.Column);
    }

    [Theory]
    [InlineData("process where process.pid < 1 < 2", "comparisons cannot be chained: join them with 'and'")]
    [InlineData("sequence [process where true]", "expected '[' to start the second step (a sequence needs at least two steps, counting 'with runs'), found the end of the query")]
    [InlineData("sequence [process where true] [process where true] until", "expected '[' after 'until', found the end of the query")]
    [InlineData("sequence [process where true] [process where true] where", "expected '[' to start another step, 'until', or the end of the query, found 'where'")]
    [InlineData("sequence [process where true] [process where true] with runs=0", "runs must be between 1 and 100")]
    [InlineData("sequence [process where true] [process where true] with runs=101", "runs must be between 1 and 100")]
    [InlineData("process where true | head 5", "pipes ('| head', '| tail', ...) are not supported in detection rules")]
    [InlineData("sample by host.id [process where true]", "expected '[' to start the second filter (a sample needs at least two), found the end of the query")]
    [InlineData("sample by host.id [process where true] [network where true] until [process where true]", "'until' is not supported in a sample")]
    [InlineData("sample by host.id with maxspan=1m [process where true] [network where true]", "'with' is not supported in a sample: samples have no maxspan and no runs")]
    [InlineData("sequence [process where true] ![network where true]", "a sequence with missing-event steps ('![ ... ]') needs 'with maxspan=...'")]
    [InlineData("sequence with maxspan=1m ![process where true] ![network where true]", "a sequence needs at least one step that is not a missing-event step ('![ ... ]')")]
    [InlineData("sequence with maxspan=1m [process where true] [network where true] until ![process where true]", "expected '[' after 'until', found '!'")]
    [InlineData("join [process where true] [network where true]", "'join' queries are not supported: Elasticsearch does not run them either (use sequence or sample)")]
    [InlineData("process process.name == \"a\"", "expected 'where' after event category 'process', found 'process'")]
    [InlineData("process where process.name = \"a\"", "expected 'and', 'or', or the end of the query, found '='")]
    [InlineData("process where process.pid == 5 + ", "expected a field, a value, a function call or '(', found the end of the query")]
    [InlineData("process where process.name in \"a\"", "expected '(' after 'in', found string \"a\"")]
    [InlineData("process where process.name like~ process.pid", "expected a string or a parenthesized list of strings after 'like~', found 'process'")]
    [InlineData("process where \"abc", "unterminated string: expected a closing '\"' on the same line")]
    [InlineData("process where process.name == \"a\\qb\"", "unknown escape sequence '\\q': expected one of \\n \\r \\t \\\\ \\\" \\u{XXXX}")]
    [InlineData("process where process.name == \"\\u{110000}\"", "\\u{110000} is not a valid unicode code point")]
    [InlineData("process where process.name == \"\\u{1}\"", "a unicode escape is written \\u{XXXX} with 2 to 8 hex digits")]
    [InlineData("sequence by 1 [process where true] [process where true]", "join keys must be fields (optionally marked '?field')")]
    [InlineData("sequence with span=1s [process where true] [process where true]", "expected 'maxspan' after 'with', found 'span'")]
    [InlineData("process where (process.pid == 1", "expected ')' to close '(', found the end of the query")]
    public void SyntaxErrorsSayWhatWasExpected(string query, string message)
    {
        Assert.Equal(message, ParseError(query).Message);
    }

    [Fact]
    public void StringsDecodeElasticsEscapes()
    {
        Assert.Equal("a\"b", StringOf("\"a\\\"b\""));
        Assert.Equal("a\\b", StringOf("\"a\\\\b\""));
        Assert.Equal("a\nb\tc\rd", StringOf("\"a\\nb\\tc\\rd\""));
        Assert.Equal("\u200f", StringOf("\"\\u{200F}\""));
        Assert.Equal("\u200f", StringOf("\"\\u{0000200f}\""));
        Assert.Equal("😀", StringOf("\"\\u{1F600}\""));
    }

    [Fact]
    public void RawStringsKeepBackslashesAndQuotes()
    {
        Assert.Equal("C:\\Windows\\\"x", StringOf("\"\"\"C:\\Windows\\\"x\"\"\""));
    }

    [Fact]
    public void CommentsAndBacktickFieldsAreAccepted()
    {
        var query = (EventQuery)EqlParser.Parse("""
            // leading comment
            process where /* inline */ `my-field`.`a``b` == 1
            """);

        var field = (FieldExpression)((ComparisonExpression)query.Filter.Condition).Left;
        Assert.Equal("my-field.a`b", field.Path);
    }

    [Fact]
    public void ASequenceParsesItsKeysSpanStepsRunsAndUntil()
    {
        var query = (SequenceQuery)EqlParser.Parse("""
            sequence by host.id, ?user.id with maxspan=1500ms
              [process where true] by process.entity_id
              [file where true] by process.entity_id with runs=2
            until [process where event.type == "end"] by process.entity_id
            """);

        Assert.Equal(["host.id", "?user.id"], query.SharedKeys.Select(k => k.ToString()));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), query.MaxSpan);
        Assert.Equal([1, 2], query.Steps.Select(s => s.Runs));
        Assert.Equal(["process", "file"], query.Steps.Select(s => s.Filter.Category));
        Assert.Equal("process", query.Until!.Filter.Category);
        Assert.Equal(new SourceLocation("query", 4, 7), query.Until.Location);
    }

    [Fact]
    public void MaxspanMayComeBeforeTheSharedKeys()
    {
        var query = (SequenceQuery)EqlParser.Parse("sequence with maxspan=2h by user.name [process where true] [process where true]");

        Assert.Equal(TimeSpan.FromHours(2), query.MaxSpan);
        Assert.Equal("user.name", query.SharedKeys.Single().Path);
    }

    [Fact]
    public void AnyAndQuotedCategoriesAreAccepted()
    {
        Assert.Null(((EventQuery)EqlParser.Parse("any where true")).Filter.Category);
        Assert.Equal("my-category", ((EventQuery)EqlParser.Parse("\"my-category\" where true")).Filter.Category);
    }

    [Fact]
    public void NotBindsTighterThanAndWhichBindsTighterThanOr()
    {
        var query = (EventQuery)EqlParser.Parse("any where not true and false or true");

        var or = Assert.IsType<LogicalExpression>(query.Filter.Condition);
        Assert.Equal(LogicalOperator.Or, or.Operator);
        var and = Assert.IsType<LogicalExpression>(or.Left);
        Assert.IsType<NotExpression>(and.Left);
    }
}
