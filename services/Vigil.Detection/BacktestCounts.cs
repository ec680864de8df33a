using Vigil.Rules;

namespace Vigil.Detection;

/// <summary>What a backtest has seen so far: events, what exceptions removed, matches, and what became of the matches.</summary>
public sealed class BacktestCounts
{
    private readonly Dictionary<string, long> byException = new(StringComparer.Ordinal);

    public long Events { get; internal set; }

    /// <summary>Events dropped because they arrived later than the lateness allows (after matching had passed their time).</summary>
    public long LateEvents { get; internal set; }

    public long Matches { get; internal set; }

    /// <summary>Events a rule could have used that an exception removed before the rule's engine saw them (per rule, so an event counts once per rule).</summary>
    public long ExceptedEvents { get; internal set; }

    /// <summary>Events each exception removed, keyed "rule name: exception", so operators see which entries do the work.</summary>
    public IReadOnlyDictionary<string, long> ExceptedByException => byException;

    /// <summary>Matches dropped as duplicates of reported alerts.</summary>
    public long Repeats { get; internal set; }

    /// <summary>Alerts folded into an earlier alert of the same group by the rule's alert suppression.</summary>
    public long Suppressed { get; internal set; }

    public long Alerts { get; internal set; }

    /// <summary>Alerts dropped because their rule had already raised max_signals alerts in that interval.</summary>
    public long OverMaxSignals { get; internal set; }

    internal void Excepted(CompiledRule rule, ExceptionHit exception)
    {
        ExceptedEvents++;
        var key = $"{rule.Rule.Name}: {exception.Name}";
        byException[key] = byException.GetValueOrDefault(key) + 1;
    }
}
