namespace Vigil.Eql;

/// <summary>One problem found in an EQL query, with where it is and what was expected.</summary>
public sealed record EqlDiagnostic(SourceLocation Location, string Message)
{
    public override string ToString() => $"{Location}: {Message}";
}
