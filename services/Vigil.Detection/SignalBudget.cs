namespace Vigil.Detection;

/// <summary>
/// Elastic's <c>max_signals</c> is a cap on the alerts one scheduled run of a rule may write. Its streaming
/// counterpart here: at most max_signals alerts per rule per <c>interval</c> of event time (the alert's last event
/// time, bucketed by the rule's interval). The backtest keeps the counts in memory; the correlator keeps them in Redis.
/// </summary>
public sealed class SignalBudget
{
    private readonly Dictionary<(string RuleId, long Bucket), int> _spent = [];

    /// <summary>The interval bucket an alert of <paramref name="rule"/> with last event time <paramref name="lastEventTime"/> counts against.</summary>
    public static long BucketOf(CompiledRule rule, long lastEventTime) => lastEventTime / (rule.Rule.Schedule.Interval.Ticks * 100);

    /// <summary>True (and counted) when the rule may still alert in this alert's interval.</summary>
    public bool TryTake(PendingAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var key = (alert.Rule.RuleId, BucketOf(alert.Rule, alert.Alert.LastEventTime));
        var spent = _spent.GetValueOrDefault(key);
        if (spent >= alert.Rule.Rule.Schedule.MaxSignals)
        {
            return false;
        }

        _spent[key] = spent + 1;
        return true;
    }
}
