using Vigil.Eql;

namespace Vigil.Rules;

/// <summary>One problem in a rule file: where (file:line:column) and what was expected.</summary>
public sealed record RuleDiagnostic(SourceLocation Location, string Message)
{
    public override string ToString() => $"{Location}: {Message}";
}
