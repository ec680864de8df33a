using System.Globalization;
using Vigil.Eql.Documents;
using Vigil.Eql.Syntax;

namespace Vigil.Eql.Evaluation;

/// <summary>
/// Turns parsed conditions into evaluation nodes for one event schema: resolves every field once to a compiled
/// accessor, checks types the way Elasticsearch's verifier does, and collects every problem instead of stopping at the first.
/// </summary>
internal sealed class QueryBinder<TEvent>(IEventSchema<TEvent> schema)
{
    private static readonly string[] FunctionNames =
    [
        "between", "cidrMatch", "concat", "endsWith", "indexOf", "length", "number", "startsWith", "string",
        "stringContains", "substring", "wildcard", "add", "subtract", "multiply", "divide", "modulo",
    ];

    private readonly Dictionary<string, FieldAccessor<TEvent>> accessors = new(StringComparer.Ordinal);

    public List<EqlDiagnostic> Diagnostics { get; } = [];

    /// <summary>The accessor of a field the engine needs; the schema must have it.</summary>
    public FieldAccessor<TEvent> RequiredField(string path) => Accessor(schema.Fields.Require(path), path);

    public ValueNode<TEvent> BindCondition(EqlExpression expression)
    {
        var bound = Bind(expression);
        RequireCondition(bound);
        return bound.Node;
    }

    /// <summary>Binds a join key field; returns null (after reporting) when it does not resolve.</summary>
    public FieldAccessor<TEvent>? BindKey(FieldExpression key)
    {
        if (schema.Fields.TryResolve(key.Path, out var field, out var problem))
        {
            return Accessor(field, key.Path);
        }

        if (key.Optional)
        {
            return static _ => EqlValue.Null;
        }

        Report(key.Location, problem);
        return null;
    }

    private FieldAccessor<TEvent> Accessor(FieldDefinition field, string writtenPath)
    {
        if (!accessors.TryGetValue(field.Path, out var accessor))
        {
            accessor = schema.CreateAccessor(field, writtenPath);
            accessors[field.Path] = accessor;
        }

        return accessor;
    }

    private void Report(SourceLocation location, string message) => Diagnostics.Add(new EqlDiagnostic(location, message));

    private void RequireCondition(BoundExpression<TEvent> bound)
    {
        if (bound.Type is not (StaticType.Boolean or StaticType.Any))
        {
            Report(bound.Location, $"expected a condition (true or false), but {bound.Text} is {Describe(bound.Type)}");
        }
    }

    private static string Describe(StaticType type) => type switch
    {
        StaticType.Null => "null",
        StaticType.Boolean => "a boolean",
        StaticType.String => "a string",
        StaticType.Number => "a number",
        _ => "a value",
    };

    private static BoundExpression<TEvent> Constant(EqlValue value, StaticType type, string text, SourceLocation location) =>
        new(new ConstantNode<TEvent>(value), type, false, text, location);

    private static BoundExpression<TEvent> Condition(ValueNode<TEvent> node, bool readsField, string text, SourceLocation location) =>
        new(node, StaticType.Boolean, readsField, text, location);

    private BoundExpression<TEvent> Bind(EqlExpression expression) => expression switch
    {
        LiteralExpression literal => BindLiteral(literal),
        FieldExpression field => BindField(field),
        NotExpression not => BindNot(not),
        LogicalExpression logical => BindLogical(logical),
        ComparisonExpression comparison => BindComparison(comparison),
        PatternExpression pattern => BindPattern(pattern),
        InExpression @in => BindIn(@in),
        ArithmeticExpression arithmetic => BindArithmetic(arithmetic),
        NegateExpression negate => BindNegate(negate),
        FunctionCallExpression call => BindCall(call),
        TextMatchExpression text => BindTextMatch(text),
        _ => throw new InvalidOperationException($"Unknown expression node {expression.GetType().Name}."),
    };

    private static BoundExpression<TEvent> BindLiteral(LiteralExpression literal) => literal.Value switch
    {
        null => Constant(EqlValue.Null, StaticType.Null, "null", literal.Location),

        // An empty string is how protobuf spells "absent", so "" compares like null.
        "" => Constant(EqlValue.Null, StaticType.Null, "\"\"", literal.Location),
        string s => Constant(EqlValue.FromString(s), StaticType.String, $"\"{s}\"", literal.Location),
        long l => Constant(EqlValue.FromInteger(l), StaticType.Number, l.ToString(CultureInfo.InvariantCulture), literal.Location),
        double d => Constant(EqlValue.FromFloat(d), StaticType.Number, d.ToString("R", CultureInfo.InvariantCulture), literal.Location),
        bool b => Constant(EqlValue.FromBoolean(b), StaticType.Boolean, b ? "true" : "false", literal.Location),
        _ => throw new InvalidOperationException($"Unknown literal {literal.Value}."),
    };

    private BoundExpression<TEvent> BindField(FieldExpression field)
    {
        if (schema.Fields.TryResolve(field.Path, out var definition, out var problem))
        {
            var type = definition.Type switch
            {
                EqlFieldType.String => StaticType.String,
                EqlFieldType.Boolean => StaticType.Boolean,
                _ => StaticType.Number,
            };
            return new BoundExpression<TEvent>(new FieldNode<TEvent>(Accessor(definition, field.Path), definition.Path), type, true, $"'{field.Path}'", field.Location);
        }

        if (!field.Optional)
        {
            Report(field.Location, problem);
        }

        // An optional field the schema lacks reads as null, as Elasticsearch does for an unmapped ?field.
        return new BoundExpression<TEvent>(new ConstantNode<TEvent>(EqlValue.Null), StaticType.Any, true, $"'?{field.Path}'", field.Location);
    }

    private BoundExpression<TEvent> BindNot(NotExpression not)
    {
        var operand = Bind(not.Operand);
        RequireCondition(operand);
        return Condition(new NotNode<TEvent>(operand.Node), operand.ReadsField, "not " + operand.Text, not.Location);
    }

    private BoundExpression<TEvent> BindLogical(LogicalExpression logical)
    {
        var left = Bind(logical.Left);
        var right = Bind(logical.Right);
        RequireCondition(left);
        RequireCondition(right);
        ValueNode<TEvent> node = logical.Operator == LogicalOperator.And
            ? new AndNode<TEvent>(left.Node, right.Node)
            : new OrNode<TEvent>(left.Node, right.Node);
        var word = logical.Operator == LogicalOperator.And ? "and" : "or";
        return Condition(node, left.ReadsField || right.ReadsField, $"{left.Text} {word} {right.Text}", logical.Location);
    }

    private BoundExpression<TEvent> BindComparison(ComparisonExpression comparison)
    {
        var left = Bind(comparison.Left);
        var right = Bind(comparison.Right);
        var text = $"{left.Text} {Symbol(comparison.Operator)} {right.Text}";
        if (left.ReadsField && right.ReadsField)
        {
            Report(comparison.Location, $"comparing a field to another field is not supported ({text}): compare each with a value");
        }

        var isEquality = comparison.Operator is ComparisonOperator.Equal or ComparisonOperator.NotEqual;
        if (left.Type == StaticType.Null || right.Type == StaticType.Null)
        {
            if (!isEquality)
            {
                Report(comparison.Location, $"only == and != compare with null ({text})");
            }

            var other = left.Type == StaticType.Null ? right : left;
            return Condition(new NullCheckNode<TEvent>(other.Node, comparison.Operator == ComparisonOperator.Equal), other.ReadsField, text, comparison.Location);
        }

        CheckComparable(left, right, comparison.Location);
        var fieldQuery = (IsPlainField(left) && right.IsConstant) || (IsPlainField(right) && left.IsConstant);
        return Condition(new CompareNode<TEvent>(left.Node, comparison.Operator, right.Node, fieldQuery), left.ReadsField || right.ReadsField, text, comparison.Location);
    }

    /// <summary>
    /// A plain field (or an optional field the schema lacks): Elasticsearch turns comparisons of it with a value into
    /// term, terms and range queries rather than scripts, which decides how a missing value behaves.
    /// </summary>
    private static bool IsPlainField(BoundExpression<TEvent> bound) =>
        bound.Node is FieldNode<TEvent> || (bound.ReadsField && bound.Node is ConstantNode<TEvent>);

    private void CheckComparable(BoundExpression<TEvent> left, BoundExpression<TEvent> right, SourceLocation location)
    {
        if (left.Type == StaticType.Any || right.Type == StaticType.Any || left.Type == right.Type)
        {
            return;
        }

        Report(location, $"cannot compare {left.Text} ({Describe(left.Type)}) with {right.Text} ({Describe(right.Type)})");
    }

    private static string Symbol(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "==",
        ComparisonOperator.NotEqual => "!=",
        ComparisonOperator.Less => "<",
        ComparisonOperator.LessOrEqual => "<=",
        ComparisonOperator.Greater => ">",
        _ => ">=",
    };

    private BoundExpression<TEvent> BindPattern(PatternExpression pattern)
    {
        var value = Bind(pattern.Value);
        var symbol = pattern.Operator switch
        {
            PatternOperator.InsensitiveEquals => ":",
            PatternOperator.Like => pattern.CaseInsensitive ? "like~" : "like",
            _ => pattern.CaseInsensitive ? "regex~" : "regex",
        };
        var text = $"{value.Text} {symbol} ...";

        // ':' against a number, boolean or null literal is plain equality (e.g. cidrMatch(...) : true).
        if (pattern.Operator == PatternOperator.InsensitiveEquals && pattern.Patterns is [{ Value: not string or "" } single])
        {
            var literal = BindLiteral(single);
            if (literal.Type == StaticType.Null)
            {
                return Condition(new NullCheckNode<TEvent>(value.Node, expectNull: true), value.ReadsField, text, pattern.Location);
            }

            CheckComparable(value, literal, pattern.Location);
            return Condition(new CompareNode<TEvent>(value.Node, ComparisonOperator.Equal, literal.Node, IsPlainField(value)), value.ReadsField, text, pattern.Location);
        }

        if (value.Type is not (StaticType.String or StaticType.Any))
        {
            Report(pattern.Location, $"'{symbol}' compares strings, but {value.Text} is {Describe(value.Type)}");
        }

        var matchers = new List<StringMatcher>();
        foreach (var literal in pattern.Patterns)
        {
            if (literal.Value is not string text2)
            {
                Report(literal.Location, $"'{symbol}' needs string patterns");
                continue;
            }

            if (pattern.Operator == PatternOperator.Regex)
            {
                var regex = RegexPattern.TryCreate(text2, pattern.CaseInsensitive, out var error);
                if (regex is null)
                {
                    Report(literal.Location, $"invalid regular expression \"{text2}\": {error}");
                    continue;
                }

                matchers.Add(regex);
            }
            else
            {
                matchers.Add(new WildcardPattern(text2, pattern.CaseInsensitive));
            }
        }

        return Condition(new PatternNode<TEvent>(value.Node, matchers.ToArray()), value.ReadsField, text, pattern.Location);
    }

    private BoundExpression<TEvent> BindIn(InExpression @in)
    {
        var value = Bind(@in.Value);
        var items = new List<EqlValue>();
        foreach (var item in @in.Items)
        {
            var bound = Bind(item);
            if (bound.ReadsField || !bound.IsConstant)
            {
                Report(bound.Location, $"'in' lists hold values, not fields or expressions ({bound.Text})");
                continue;
            }

            if (bound.Type != StaticType.Null)
            {
                CheckComparable(value, bound, bound.Location);
            }

            items.Add(bound.Constant);
        }

        var symbol = (@in.Negated ? "not in" : "in") + (@in.CaseInsensitive ? "~" : string.Empty);
        return Condition(new InNode<TEvent>(value.Node, items, @in.CaseInsensitive, @in.Negated, IsPlainField(value)), value.ReadsField, $"{value.Text} {symbol} (...)", @in.Location);
    }

    private BoundExpression<TEvent> BindArithmetic(ArithmeticExpression arithmetic)
    {
        var left = Bind(arithmetic.Left);
        var right = Bind(arithmetic.Right);
        return Arithmetic(arithmetic.Operator, left, right, arithmetic.Location);
    }

    private BoundExpression<TEvent> Arithmetic(ArithmeticOperator op, BoundExpression<TEvent> left, BoundExpression<TEvent> right, SourceLocation location)
    {
        RequireNumber(left);
        RequireNumber(right);
        var text = $"{left.Text} {op} {right.Text}";
        if (left.IsConstant && right.IsConstant)
        {
            return Constant(ArithmeticNode<TEvent>.Apply(op, left.Constant, right.Constant), StaticType.Number, text, location);
        }

        return new BoundExpression<TEvent>(new ArithmeticNode<TEvent>(op, left.Node, right.Node), StaticType.Number, left.ReadsField || right.ReadsField, text, location);
    }

    private void RequireNumber(BoundExpression<TEvent> bound)
    {
        if (bound.Type is not (StaticType.Number or StaticType.Any or StaticType.Null))
        {
            Report(bound.Location, $"expected a number, but {bound.Text} is {Describe(bound.Type)}");
        }
    }

    private void RequireString(BoundExpression<TEvent> bound, string function)
    {
        if (bound.Type is not (StaticType.String or StaticType.Any or StaticType.Null))
        {
            Report(bound.Location, $"{function} expects a string, but {bound.Text} is {Describe(bound.Type)}");
        }
    }

    private BoundExpression<TEvent> BindNegate(NegateExpression negate)
    {
        var operand = Bind(negate.Operand);
        RequireNumber(operand);
        return new BoundExpression<TEvent>(new NegateNode<TEvent>(operand.Node), StaticType.Number, operand.ReadsField, "-" + operand.Text, negate.Location);
    }

    private BoundExpression<TEvent> BindTextMatch(TextMatchExpression text)
    {
        var field = BindField(text.Field);
        if (field.Type is not (StaticType.String or StaticType.Any))
        {
            Report(text.Location, $"'{text.WrittenField}' analyzes the text of '{text.Field.Path}', which holds {Describe(field.Type)} in the telemetry contract, not text");
        }

        var pattern = text.Pattern is null ? null : new WildcardPattern(text.Pattern, ignoreCase: false);
        var node = new AnalyzedTextNode<TEvent>(field.Node, text.Kind, text.Tokens, pattern);
        return Condition(node, readsField: true, $"'{text.WrittenField}' : ...", text.Location);
    }

    private BoundExpression<TEvent> BindCall(FunctionCallExpression call)
    {
        // Elasticsearch's function registry normalizes names before looking them up, so cidrmatch, CIDRMATCH and
        // cidrMatch are one function; only the '~' suffix changes how a function compares strings.
        var name = FunctionNames.FirstOrDefault(n => string.Equals(n, call.Name, StringComparison.OrdinalIgnoreCase));
        if (name is null)
        {
            Report(call.Location, $"unknown function '{call.Name}': expected one of {string.Join(", ", FunctionNames)}");
            return Constant(EqlValue.Null, StaticType.Any, call.Name + "(...)", call.Location);
        }

        var args = call.Arguments.Select(Bind).ToArray();
        var text = $"{name}{(call.CaseInsensitive ? "~" : string.Empty)}({string.Join(", ", args.Select(a => a.Text))})";
        var readsField = args.Any(a => a.ReadsField);
        var insensitive = name is "between" or "endsWith" or "indexOf" or "startsWith" or "stringContains" or "wildcard";
        if (call.CaseInsensitive && !insensitive)
        {
            Report(call.Location, $"{name} has no case-insensitive variant ({name}~)");
        }

        var (min, max) = name switch
        {
            "between" => (3, 4),
            "cidrMatch" or "wildcard" => (2, int.MaxValue),
            "concat" => (1, int.MaxValue),
            "indexOf" or "substring" => (2, 3),
            "length" or "string" => (1, 1),
            "number" => (1, 2),
            _ => (2, 2),
        };
        if (args.Length < min || args.Length > max)
        {
            var expected = min == max ? $"{min}" : max == int.MaxValue ? $"at least {min}" : $"{min} to {max}";
            Report(call.Location, $"{name} takes {expected} arguments, not {args.Length}");
            return Constant(EqlValue.Null, StaticType.Any, text, call.Location);
        }

        BoundExpression<TEvent> Result(ValueNode<TEvent> node, StaticType type) => new(node, type, readsField, text, call.Location);
        ValueNode<TEvent>? Optional(int index) => args.Length > index ? args[index].Node : null;

        switch (name)
        {
            case "startsWith" or "endsWith" or "stringContains":
                RequireString(args[0], name);
                RequireString(args[1], name);
                var test = name switch
                {
                    "startsWith" => SubstringTest.StartsWith,
                    "endsWith" => SubstringTest.EndsWith,
                    _ => SubstringTest.Contains,
                };
                return Result(new SubstringTestNode<TEvent>(args[0].Node, args[1].Node, test, call.CaseInsensitive), StaticType.Boolean);
            case "wildcard":
                RequireString(args[0], name);
                return Result(new PatternNode<TEvent>(args[0].Node, ConstantStrings(args.Skip(1), name).Select(p => (StringMatcher)new WildcardPattern(p, call.CaseInsensitive)).ToArray()), StaticType.Boolean);
            case "cidrMatch":
                RequireString(args[0], name);
                var blocks = new List<CidrBlock>();
                foreach (var arg in args.Skip(1))
                {
                    foreach (var block in ConstantStrings([arg], name))
                    {
                        if (CidrBlock.TryParse(block) is { } parsed)
                        {
                            blocks.Add(parsed);
                        }
                        else
                        {
                            Report(arg.Location, $"\"{block}\" is not a CIDR block (expected e.g. \"10.0.0.0/8\" or \"fd00::/8\")");
                        }
                    }
                }

                return Result(new CidrMatchNode<TEvent>(args[0].Node, blocks.ToArray()), StaticType.Boolean);
            case "length":
                RequireString(args[0], name);
                return Result(new LengthNode<TEvent>(args[0].Node), StaticType.Number);
            case "concat":
                return Result(new ConcatNode<TEvent>(args.Select(a => a.Node).ToArray()), StaticType.String);
            case "string":
                return Result(new ToStringNode<TEvent>(args[0].Node), StaticType.String);
            case "number":
                return Result(new ToNumberNode<TEvent>(args[0].Node, Optional(1)), StaticType.Number);
            case "substring":
                RequireString(args[0], name);
                return Result(new SubstringNode<TEvent>(args[0].Node, args[1].Node, Optional(2)), StaticType.String);
            case "indexOf":
                RequireString(args[0], name);
                RequireString(args[1], name);
                return Result(new IndexOfNode<TEvent>(args[0].Node, args[1].Node, Optional(2), call.CaseInsensitive), StaticType.Number);
            case "between":
                RequireString(args[0], name);
                return Result(new BetweenNode<TEvent>(args[0].Node, args[1].Node, args[2].Node, Optional(3), call.CaseInsensitive), StaticType.String);
            default:
                var op = name switch
                {
                    "add" => ArithmeticOperator.Add,
                    "subtract" => ArithmeticOperator.Subtract,
                    "multiply" => ArithmeticOperator.Multiply,
                    "divide" => ArithmeticOperator.Divide,
                    _ => ArithmeticOperator.Modulo,
                };
                return Arithmetic(op, args[0], args[1], call.Location) with { Text = text };
        }
    }

    private IEnumerable<string> ConstantStrings(IEnumerable<BoundExpression<TEvent>> args, string function)
    {
        foreach (var arg in args)
        {
            if (arg.IsConstant && arg.Constant.Kind == EqlValueKind.String)
            {
                yield return arg.Constant.AsString;
            }
            else
            {
                Report(arg.Location, $"{function} needs string literals after its first argument, not {arg.Text}");
            }
        }
    }
}
