namespace Vigil.Eql;

/// <summary>A position in a named source: 1-based line and column (UTF-16 code units).</summary>
public readonly record struct SourceLocation(string Source, int Line, int Column)
{
    public override string ToString() => $"{Source}:{Line}:{Column}";
}
