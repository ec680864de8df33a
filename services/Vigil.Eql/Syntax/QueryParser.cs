namespace Vigil.Eql.Syntax;

/// <summary>Recursive-descent parser over the token list; one instance parses one query.</summary>
internal sealed class QueryParser(EqlSource source, IReadOnlyList<Token> tokens)
{
    private const int MaxRuns = 100;

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "and", "or", "not", "in", "like", "regex", "where", "sequence", "sample", "join", "by", "with", "until",
        "true", "false", "null", "any", "of",
    };

    private int index;

    private Token Current => tokens[index];

    private Token PeekToken(int offset = 1) => tokens[Math.Min(index + offset, tokens.Count - 1)];

    private Token Take() => tokens[index++];

    public EqlQuery ParseQuery()
    {
        var first = Current;
        EqlQuery query;
        if (first.IsKeyword("sequence"))
        {
            query = ParseSequence();
        }
        else if (first.IsKeyword("sample"))
        {
            query = ParseSample();
        }
        else if (first.IsKeyword("join"))
        {
            throw Error(first, "'join' queries are not supported: Elasticsearch does not run them either (use sequence or sample)");
        }
        else
        {
            query = new EventQuery(source, ParseEventFilter(inBrackets: false));
        }

        if (Current.Kind == TokenKind.Pipe)
        {
            throw Error(Current, "pipes ('| head', '| tail', ...) are not supported in detection rules");
        }

        if (Current.Kind != TokenKind.End)
        {
            throw Unexpected(query switch
            {
                SequenceQuery => "expected '[' to start another step, 'until', or the end of the query",
                SampleQuery => "expected '[' to start another filter, or the end of the query",
                _ => "expected 'and', 'or', or the end of the query",
            });
        }

        return query;
    }

    private SequenceQuery ParseSequence()
    {
        var sequenceToken = Take();
        IReadOnlyList<FieldExpression> sharedKeys = [];
        TimeSpan? maxSpan = null;
        var sawBy = false;
        var sawWith = false;
        while (true)
        {
            if (Current.IsKeyword("by") && !sawBy)
            {
                Take();
                sharedKeys = ParseJoinKeys();
                sawBy = true;
            }
            else if (Current.IsKeyword("with") && !sawWith)
            {
                Take();
                maxSpan = ParseMaxSpan();
                sawWith = true;
            }
            else
            {
                break;
            }
        }

        var steps = new List<SequenceStep>();
        while (Current.Kind is TokenKind.LeftBracket or TokenKind.Bang)
        {
            steps.Add(ParseStep(isUntil: false, allowMissing: true));
        }

        // Elasticsearch expands "with runs=N" before it counts the steps: "sequence [a] with runs=2" is a valid
        // two-step sequence, and "sequence [a]" alone is not.
        var expanded = steps.Sum(step => step.Runs);
        if (expanded < 2)
        {
            if (steps.Count == 0)
            {
                throw Unexpected("expected '[' to start the first sequence step");
            }

            throw Unexpected("expected '[' to start the second step (a sequence needs at least two steps, counting 'with runs')");
        }

        if (steps.All(step => step.Missing))
        {
            throw Error(steps[0].Location, "a sequence needs at least one step that is not a missing-event step ('![ ... ]')");
        }

        if (maxSpan is null && steps.FirstOrDefault(step => step.Missing) is { } missing)
        {
            // Elasticsearch: "with maxspan" is mandatory when missing-event steps are present; it bounds the time window
            // in which the absent event is looked for.
            throw Error(missing.Location, "a sequence with missing-event steps ('![ ... ]') needs 'with maxspan=...'");
        }

        SequenceStep? until = null;
        if (Current.IsKeyword("until"))
        {
            Take();
            if (Current.Kind != TokenKind.LeftBracket)
            {
                throw Unexpected("expected '[' after 'until'");
            }

            until = ParseStep(isUntil: true, allowMissing: false);
        }

        return new SequenceQuery(source, Locate(sequenceToken), sharedKeys, maxSpan, steps, until);
    }

    private TimeSpan ParseMaxSpan()
    {
        var name = Current;
        if (!(name.Kind == TokenKind.Identifier && name.Text == "maxspan"))
        {
            throw Unexpected("expected 'maxspan' after 'with'");
        }

        Take();
        if (Current.Kind != TokenKind.Assign)
        {
            throw Unexpected("expected '=' after 'maxspan'");
        }

        Take();
        var amount = Current;
        if (amount.Kind == TokenKind.Decimal)
        {
            throw Error(amount, "maxspan must be a whole number followed by a unit, as in maxspan=30s");
        }

        if (amount.Kind != TokenKind.Integer)
        {
            throw Unexpected("expected a time span after 'maxspan=', as in maxspan=30s");
        }

        Take();
        var unit = Current;
        if (unit.Kind != TokenKind.Identifier || Keywords.Contains(unit.Text) || unit.Tilde)
        {
            throw Error(amount, $"maxspan needs a unit ({TimeUnits.Expected}), as in maxspan={amount.Text}s");
        }

        if (!TimeUnits.IsUnit(unit.Text))
        {
            throw Error(unit, $"unknown time unit '{unit.Text}' in maxspan: expected {TimeUnits.Expected}");
        }

        Take();
        var span = TimeUnits.ToTimeSpan(amount.Integer, unit.Text);
        if (span is null)
        {
            throw Error(amount, "maxspan is too large");
        }

        if (span.Value <= TimeSpan.Zero)
        {
            throw Error(amount, "maxspan must be greater than zero");
        }

        return span.Value;
    }

    private SampleQuery ParseSample()
    {
        var sampleToken = Take();
        IReadOnlyList<FieldExpression> sharedKeys = [];
        if (Current.IsKeyword("by"))
        {
            Take();
            sharedKeys = ParseJoinKeys();
        }

        if (Current.IsKeyword("with"))
        {
            throw Error(Current, "'with' is not supported in a sample: samples have no maxspan and no runs");
        }

        var filters = new List<SequenceStep>();
        while (Current.Kind is TokenKind.LeftBracket or TokenKind.Bang)
        {
            if (Current.Kind == TokenKind.Bang)
            {
                throw Error(Current, "missing-event filters ('![ ... ]') are only allowed in sequences");
            }

            var step = ParseStep(isUntil: false, allowMissing: false);
            if (step.Runs != 1)
            {
                throw Error(step.Location, "'with runs' is not supported in a sample");
            }

            filters.Add(step);
        }

        if (filters.Count < 2)
        {
            throw Unexpected(filters.Count == 0
                ? "expected '[' to start the first sample filter"
                : "expected '[' to start the second filter (a sample needs at least two)");
        }

        if (Current.IsKeyword("until"))
        {
            throw Error(Current, "'until' is not supported in a sample");
        }

        return new SampleQuery(source, Locate(sampleToken), sharedKeys, filters);
    }

    private SequenceStep ParseStep(bool isUntil, bool allowMissing)
    {
        var missing = false;
        if (Current.Kind == TokenKind.Bang)
        {
            var bang = Take();
            if (!allowMissing)
            {
                throw Error(bang, "a missing-event step ('![ ... ]') cannot be the until step");
            }

            if (Current.Kind != TokenKind.LeftBracket || Current.Line != bang.Line || Current.Column != bang.Column + 1)
            {
                throw Error(bang, "expected '![' to start a missing-event step");
            }

            missing = true;
        }

        var open = Take();
        var filter = ParseEventFilter(inBrackets: true);
        if (Current.Kind != TokenKind.RightBracket)
        {
            throw Unexpected("expected ']' after step condition");
        }

        Take();
        IReadOnlyList<FieldExpression> keys = [];
        if (Current.IsKeyword("by"))
        {
            Take();
            keys = ParseJoinKeys();
        }

        var runs = 1;
        if (Current.IsKeyword("with") && !isUntil)
        {
            Take();
            if (!(Current.Kind == TokenKind.Identifier && Current.Text == "runs"))
            {
                throw Unexpected("expected 'runs' after 'with' in a sequence step");
            }

            Take();
            if (Current.Kind != TokenKind.Assign)
            {
                throw Unexpected("expected '=' after 'runs'");
            }

            Take();
            var count = Current;
            if (count.Kind != TokenKind.Integer)
            {
                throw Unexpected("expected a whole number after 'runs='");
            }

            Take();
            if (count.Integer is < 1 or > MaxRuns)
            {
                throw Error(count, $"runs must be between 1 and {MaxRuns}");
            }

            runs = (int)count.Integer;
        }

        return new SequenceStep(Locate(open), filter, keys, runs, missing);
    }

    private List<FieldExpression> ParseJoinKeys()
    {
        var keys = new List<FieldExpression>();
        do
        {
            if (keys.Count > 0)
            {
                Take();
            }

            var start = Current;
            var expression = ParseUnary();
            if (expression is not FieldExpression field)
            {
                throw Error(start, "join keys must be fields (optionally marked '?field')");
            }

            keys.Add(field);
        }
        while (Current.Kind == TokenKind.Comma);

        return keys;
    }

    private EventFilter ParseEventFilter(bool inBrackets)
    {
        var category = Current;
        string? name;
        if (category.IsKeyword("any"))
        {
            name = null;
        }
        else if (category.Kind == TokenKind.String || (category.Kind == TokenKind.Identifier && !Keywords.Contains(category.Text) && !category.Tilde))
        {
            name = category.Text;
        }
        else
        {
            throw Unexpected(inBrackets
                ? "expected an event category (or 'any') after '['"
                : "expected an event category (or 'any' or 'sequence') to start the query");
        }

        Take();
        if (!Current.IsKeyword("where"))
        {
            throw Unexpected($"expected 'where' after event category '{name ?? "any"}'");
        }

        Take();
        var condition = ParseExpression();
        return new EventFilter(Locate(category), name, condition);
    }

    private EqlExpression ParseExpression() => ParseOr();

    private EqlExpression ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsKeyword("or"))
        {
            Take();
            left = new LogicalExpression(left.Location, LogicalOperator.Or, left, ParseAnd());
        }

        return left;
    }

    private EqlExpression ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsKeyword("and"))
        {
            Take();
            left = new LogicalExpression(left.Location, LogicalOperator.And, left, ParseNot());
        }

        return left;
    }

    private EqlExpression ParseNot()
    {
        if (Current.IsKeyword("not"))
        {
            var not = Take();
            return new NotExpression(Locate(not), ParseNot());
        }

        return ParsePredicate();
    }

    private EqlExpression ParsePredicate()
    {
        var value = ParseAdditive();
        var op = Current;
        EqlExpression result;
        if (ComparisonOf(op) is { } comparison)
        {
            Take();
            result = new ComparisonExpression(value.Location, comparison, value, ParseAdditive());
        }
        else if (op.Kind == TokenKind.Colon)
        {
            Take();
            result = new PatternExpression(value.Location, PatternOperator.InsensitiveEquals, true, value, ParsePatterns(":", allowNonStrings: true));
        }
        else if (op.IsKeyword("like") || op.IsKeyword("regex"))
        {
            Take();
            var kind = op.Text == "like" ? PatternOperator.Like : PatternOperator.Regex;
            result = new PatternExpression(value.Location, kind, op.Tilde, value, ParsePatterns(op.Text + (op.Tilde ? "~" : string.Empty), allowNonStrings: false));
        }
        else if (op.IsKeyword("in"))
        {
            Take();
            result = new InExpression(value.Location, value, Negated: false, op.Tilde, ParseInList(op));
        }
        else if (op.IsKeyword("not") && PeekToken().IsKeyword("in"))
        {
            Take();
            var inToken = Take();
            result = new InExpression(value.Location, value, Negated: true, inToken.Tilde, ParseInList(inToken));
        }
        else
        {
            return value;
        }

        if (ComparisonOf(Current) is not null || Current.Kind == TokenKind.Colon)
        {
            throw Error(Current, "comparisons cannot be chained: join them with 'and'");
        }

        return result;
    }

    private static ComparisonOperator? ComparisonOf(Token token) => token.Kind switch
    {
        TokenKind.Equal => ComparisonOperator.Equal,
        TokenKind.NotEqual => ComparisonOperator.NotEqual,
        TokenKind.Less => ComparisonOperator.Less,
        TokenKind.LessOrEqual => ComparisonOperator.LessOrEqual,
        TokenKind.Greater => ComparisonOperator.Greater,
        TokenKind.GreaterOrEqual => ComparisonOperator.GreaterOrEqual,
        _ => null,
    };

    private List<LiteralExpression> ParsePatterns(string operatorText, bool allowNonStrings)
    {
        var patterns = new List<LiteralExpression>();
        if (Current.Kind == TokenKind.LeftParen)
        {
            Take();
            do
            {
                if (patterns.Count > 0)
                {
                    Take();
                }

                patterns.Add(ParsePattern(operatorText, allowNonStrings: false));
            }
            while (Current.Kind == TokenKind.Comma);

            if (Current.Kind != TokenKind.RightParen)
            {
                throw Unexpected($"expected ',' or ')' in the list after '{operatorText}'");
            }

            Take();
        }
        else
        {
            patterns.Add(ParsePattern(operatorText, allowNonStrings));
        }

        return patterns;
    }

    private LiteralExpression ParsePattern(string operatorText, bool allowNonStrings)
    {
        var token = Current;
        if (token.Kind == TokenKind.String)
        {
            Take();
            return new LiteralExpression(Locate(token), token.Text);
        }

        if (allowNonStrings && ParseUnary() is LiteralExpression literal)
        {
            return literal;
        }

        throw Error(token, $"expected a string or a parenthesized list of strings after '{operatorText}', found {token.Describe()}");
    }

    private List<EqlExpression> ParseInList(Token inToken)
    {
        var text = inToken.Text + (inToken.Tilde ? "~" : string.Empty);
        if (Current.Kind != TokenKind.LeftParen)
        {
            throw Unexpected($"expected '(' after '{text}'");
        }

        Take();
        var items = new List<EqlExpression>();
        do
        {
            if (items.Count > 0)
            {
                Take();
            }

            items.Add(ParseAdditive());
        }
        while (Current.Kind == TokenKind.Comma);

        if (Current.Kind != TokenKind.RightParen)
        {
            throw Unexpected($"expected ',' or ')' in the list after '{text}'");
        }

        Take();
        return items;
    }

    private EqlExpression ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var op = Take().Kind == TokenKind.Plus ? ArithmeticOperator.Add : ArithmeticOperator.Subtract;
            left = new ArithmeticExpression(left.Location, op, left, ParseMultiplicative());
        }

        return left;
    }

    private EqlExpression ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Current.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            var op = Take().Kind switch
            {
                TokenKind.Star => ArithmeticOperator.Multiply,
                TokenKind.Slash => ArithmeticOperator.Divide,
                _ => ArithmeticOperator.Modulo,
            };
            left = new ArithmeticExpression(left.Location, op, left, ParseUnary());
        }

        return left;
    }

    private EqlExpression ParseUnary()
    {
        if (Current.Kind == TokenKind.Minus)
        {
            var minus = Take();
            var operand = ParseUnary();
            return operand switch
            {
                LiteralExpression { Value: long l } => new LiteralExpression(Locate(minus), -l),
                LiteralExpression { Value: double d } => new LiteralExpression(Locate(minus), -d),
                _ => new NegateExpression(Locate(minus), operand),
            };
        }

        if (Current.Kind == TokenKind.Plus)
        {
            Take();
            return ParseUnary();
        }

        return ParsePrimary();
    }

    private EqlExpression ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.String:
                Take();
                return new LiteralExpression(Locate(token), token.Text);
            case TokenKind.Integer:
                Take();
                return new LiteralExpression(Locate(token), token.Integer);
            case TokenKind.Decimal:
                Take();
                return new LiteralExpression(Locate(token), token.Decimal);
            case TokenKind.LeftParen:
            {
                Take();
                var inner = ParseExpression();
                if (Current.Kind != TokenKind.RightParen)
                {
                    throw Unexpected("expected ')' to close '('");
                }

                Take();
                return inner;
            }

            case TokenKind.Question:
            {
                Take();
                if (Current.Kind is not (TokenKind.Identifier or TokenKind.QuotedIdentifier) || IsReserved(Current))
                {
                    throw Unexpected("expected a field name after '?'");
                }

                return ParseField(token, optional: true);
            }

            case TokenKind.QuotedIdentifier:
                return ParseField(token, optional: false);
            case TokenKind.Identifier:
                return ParseIdentifierExpression(token);
            default:
                throw Unexpected("expected a field, a value, a function call or '('");
        }
    }

    private EqlExpression ParseIdentifierExpression(Token token)
    {
        switch (token.Text)
        {
            case "true":
                Take();
                return new LiteralExpression(Locate(token), true);
            case "false":
                Take();
                return new LiteralExpression(Locate(token), false);
            case "null":
                Take();
                return new LiteralExpression(Locate(token), null);
        }

        if (IsReserved(token))
        {
            throw Unexpected("expected a field, a value, a function call or '('");
        }

        if (PeekToken().Kind == TokenKind.LeftParen)
        {
            return ParseFunctionCall();
        }

        if (token.Tilde)
        {
            throw Error(token, $"'~' after '{token.Text}': only like~, in~, regex~ and function names take '~'");
        }

        return ParseField(token, optional: false);
    }

    private static bool IsReserved(Token token) => token.Kind == TokenKind.Identifier && Keywords.Contains(token.Text);

    private FieldExpression ParseField(Token start, bool optional)
    {
        var segments = new List<string> { Take().Text };
        while (Current.Kind == TokenKind.Dot)
        {
            Take();
            var segment = Current;
            if (segment.Kind is not (TokenKind.Identifier or TokenKind.QuotedIdentifier) || segment.Tilde)
            {
                throw Unexpected("expected a field name after '.'");
            }

            Take();
            segments.Add(segment.Text);
        }

        return new FieldExpression(Locate(start), string.Join('.', segments), optional);
    }

    private FunctionCallExpression ParseFunctionCall()
    {
        var name = Take();
        Take();
        var arguments = new List<EqlExpression>();
        if (Current.Kind != TokenKind.RightParen)
        {
            do
            {
                if (arguments.Count > 0)
                {
                    Take();
                }

                arguments.Add(ParseExpression());
            }
            while (Current.Kind == TokenKind.Comma);
        }

        if (Current.Kind != TokenKind.RightParen)
        {
            throw Unexpected($"expected ',' or ')' in the arguments of {name.Text}{(name.Tilde ? "~" : string.Empty)}");
        }

        Take();
        return new FunctionCallExpression(Locate(name), name.Text, name.Tilde, arguments);
    }

    private SourceLocation Locate(Token token) => source.Locate(token.Line, token.Column);

    private EqlException Error(Token token, string message) => new(new EqlDiagnostic(Locate(token), message));

    private static EqlException Error(SourceLocation location, string message) => new(new EqlDiagnostic(location, message));

    private EqlException Unexpected(string expected)
    {
        var token = Current;
        var found = token.Kind == TokenKind.End ? "the end of the query" : token.Describe();
        var hint = token.Kind == TokenKind.Identifier && !Keywords.Contains(token.Text) && Keywords.Contains(token.Text.ToLowerInvariant())
            ? " (EQL keywords are lowercase)"
            : string.Empty;
        return Error(token, $"{expected}, found {found}{hint}");
    }
}
