using System.Collections.Concurrent;
using Vigil.Detection;

namespace Vigil.Correlator;

/// <summary>The names of the rules a correlator loaded, by rule id, for the rule_name label of its per-rule series.</summary>
public sealed class RuleNames
{
    private readonly ConcurrentDictionary<string, string> names = new(StringComparer.Ordinal);

    /// <summary>Records the names of <paramref name="pack"/>'s rules.</summary>
    public void Remember(AnalyticPack pack)
    {
        foreach (var rule in pack.Rules)
        {
            names[rule.RuleId] = rule.Rule.Name;
        }
    }

    /// <summary>The rule's name, or its id when the rule is unknown.</summary>
    public string NameOf(string ruleId) => names.GetValueOrDefault(ruleId, ruleId);
}
