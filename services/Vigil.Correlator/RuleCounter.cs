using Prometheus;

namespace Vigil.Correlator;

/// <summary>
/// A per-rule counter labelled with the rule's name as well as its id: dashboards and alert legends read
/// `rule_name`, since a UUID says nothing to the person on call. Callers give (analytic, rule id, ...) as before; the
/// name is looked up from the rules the correlator loaded (<see cref="RuleNames.Remember"/>), so no call site carries it.
/// The counter's labels start with analytic, rule, rule_name.
/// </summary>
public sealed class RuleCounter(RuleNames names, Counter counter)
{
    /// <summary>The child for (analytic, rule id, further labels...); rule_name is the rule's name, or its id when unknown.</summary>
    public Counter.Child WithLabels(params string[] labels) =>
        counter.WithLabels([labels[0], labels[1], names.NameOf(labels[1]), .. labels[2..]]);
}
