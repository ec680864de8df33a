using Vigil.Rules.ExceptionLists;

namespace Vigil.Rules;

/// <summary>The rules that loaded, the exception lists they may reference, and every problem found.</summary>
public sealed record RuleLoadResult(IReadOnlyList<DetectionRule> Rules, IReadOnlyList<RuleDiagnostic> Errors)
{
    /// <summary>The Kibana exception list exports found with the rules (see <see cref="ExceptionListCatalog"/>).</summary>
    public ExceptionListCatalog ExceptionLists { get; init; } = ExceptionListCatalog.Empty;

    public bool Succeeded => Errors.Count == 0;
}
