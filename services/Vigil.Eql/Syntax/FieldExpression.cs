namespace Vigil.Eql.Syntax;

/// <summary>
/// A field reference by ECS path, as written (e.g. "process.parent.name", "@timestamp").
/// <paramref name="Optional"/> is the '?' prefix: an unknown optional field reads as null instead of failing compilation,
/// and an optional join key may be null.
/// </summary>
public sealed record FieldExpression(SourceLocation Location, string Path, bool Optional) : EqlExpression(Location)
{
    public override string ToString() => Optional ? "?" + Path : Path;
}
