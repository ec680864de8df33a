namespace Vigil.Eql.Syntax;

/// <summary>
/// A KQL or Lucene query on an ECS <c>*.text</c> multi-field, run as Elasticsearch runs it on the analyzed text of
/// <paramref name="Field"/> (the keyword field the multi-field indexes; see <c>StandardAnalyzer</c>): any of
/// <paramref name="Tokens"/> (a match query), all of them in a row (a phrase), or one token that fits
/// <paramref name="Pattern"/> (a wildcard, lower-cased like the tokens). <paramref name="WrittenField"/> is the
/// <c>.text</c> name as the rule wrote it.
/// </summary>
public sealed record TextMatchExpression(
    SourceLocation Location,
    FieldExpression Field,
    string WrittenField,
    TextMatchKind Kind,
    IReadOnlyList<string> Tokens,
    string? Pattern) : EqlExpression(Location);
