namespace Vigil.Eql.Kql;

/// <summary>A node of a parsed KQL or Lucene query, before its fields are resolved against an event schema.</summary>
internal abstract record KqlNode(SourceLocation Location);

/// <summary><c>a and b</c> / <c>a AND b</c>.</summary>
internal sealed record KqlAnd(SourceLocation Location, IReadOnlyList<KqlNode> Operands) : KqlNode(Location);

/// <summary><c>a or b</c> / <c>a OR b</c>.</summary>
internal sealed record KqlOr(SourceLocation Location, IReadOnlyList<KqlNode> Operands) : KqlNode(Location);

/// <summary><c>not a</c>: true when a is false, a missing field included (Elasticsearch's must_not).</summary>
internal sealed record KqlNot(SourceLocation Location, KqlNode Operand) : KqlNode(Location);

/// <summary>Matches every event (Lucene <c>*:*</c>, or a query that only excludes).</summary>
internal sealed record KqlAll(SourceLocation Location) : KqlNode(Location);

/// <summary>
/// <c>field:value</c>. <see cref="Value"/> holds the pattern pieces: literal text, and (unless quoted) wildcard positions.
/// </summary>
internal sealed record KqlTerm(SourceLocation Location, string Field, KqlValue Value) : KqlNode(Location);

/// <summary><c>field:*</c> or Lucene <c>_exists_:field</c>: the field has a value.</summary>
internal sealed record KqlExists(SourceLocation Location, string Field) : KqlNode(Location);

/// <summary><c>field &gt;= value</c>, Lucene <c>field:[a TO b]</c> (one bound per node; a TO range is an and of two).</summary>
internal sealed record KqlRange(SourceLocation Location, string Field, Syntax.ComparisonOperator Operator, KqlValue Value) : KqlNode(Location);

/// <summary>Lucene <c>field:/regex/</c>.</summary>
internal sealed record KqlRegex(SourceLocation Location, string Field, string Pattern) : KqlNode(Location);

/// <summary>
/// A value as written: <see cref="Text"/> is the unescaped text; <see cref="Wildcards"/> marks the positions of unescaped
/// wildcard characters ('*' in KQL, '*' and '?' in Lucene). Quoted values never hold wildcards.
/// </summary>
internal sealed record KqlValue(string Text, IReadOnlyList<int> Wildcards, bool Quoted, SourceLocation Location)
{
    public bool HasWildcards => Wildcards.Count > 0;

    /// <summary>Only a single '*': "the field exists".</summary>
    public bool IsMatchAll => Text == "*" && Wildcards.Count == 1;
}
