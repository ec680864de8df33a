using System.Collections.Concurrent;
using Prometheus;
using Vigil.Detection;

namespace Vigil.Correlator;

/// <summary>
/// A per-rule counter labelled with the rule's name as well as its id: dashboards and alert legends read
/// `rule_name`, since a UUID says nothing to the person on call. Callers give (analytic, rule id, ...) as before; the
/// name is looked up from the rules the correlator loaded (<see cref="Remember"/>), so no call site carries it.
/// The counter's labels start with analytic, rule, rule_name.
/// </summary>
internal sealed class RuleCounter(Counter counter)
{
    private static readonly ConcurrentDictionary<string, string> Names = new(StringComparer.Ordinal);

    /// <summary>Records the names of <paramref name="pack"/>'s rules for the label.</summary>
    public static void Remember(AnalyticPack pack)
    {
        foreach (var rule in pack.Rules)
        {
            Names[rule.RuleId] = rule.Rule.Name;
        }
    }

    /// <summary>The child for (analytic, rule id, further labels...); rule_name is the rule's name, or its id when unknown.</summary>
    public Counter.Child WithLabels(params string[] labels) =>
        counter.WithLabels([labels[0], labels[1], Names.GetValueOrDefault(labels[1], labels[1]), .. labels[2..]]);
}
