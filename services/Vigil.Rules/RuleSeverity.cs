namespace Vigil.Rules;

/// <summary>Elastic's rule severities.</summary>
public enum RuleSeverity
{
    Low,
    Medium,
    High,
    Critical,
}
