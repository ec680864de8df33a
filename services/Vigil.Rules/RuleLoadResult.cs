namespace Vigil.Rules;

/// <summary>The rules that loaded and every problem found in the ones that did not.</summary>
public sealed record RuleLoadResult(IReadOnlyList<DetectionRule> Rules, IReadOnlyList<RuleDiagnostic> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}
