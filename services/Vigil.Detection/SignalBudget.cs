namespace Vigil.Detection;

/// <summary>
/// Elastic's <c>max_signals</c> is a cap on the alerts one scheduled run of a rule may write. Its streaming
/// counterpart here: at most max_signals alerts per rule per <c>interval</c> of event time (the alert's last evidence
/// event, on the rule's clock, bucketed by the rule's interval), for rules that set max_signals. The backtest keeps the counts in memory; the correlator keeps them in Redis.
/// </summary>
public sealed class SignalBudget
{
    private readonly Dictionary<(string RuleId, long Bucket), int> spent = [];

    /// <summary>The interval an alert counts against: its last evidence event's time on the rule's clock (timestamp_override first).</summary>
    public static long BucketOf(PendingAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var time = alert.Alert.Evidence.Count > 0 ? alert.Rule.Clock.TimeOf(alert.Alert.Evidence[^1].Event) : alert.Alert.LastEventTime;
        return time / (alert.Rule.Rule.Schedule.Interval.Ticks * 100);
    }

    /// <summary>True (and counted) when the rule may still alert in this alert's interval.</summary>
    public bool TryTake(PendingAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (alert.Rule.Rule.Schedule.MaxSignals is not { } max)
        {
            return true;
        }

        var key = (alert.Rule.RuleId, BucketOf(alert));
        var spent = this.spent.GetValueOrDefault(key);
        if (spent >= max)
        {
            return false;
        }

        this.spent[key] = spent + 1;
        return true;
    }
}
