namespace Vigil.Detection;

/// <summary>What a backtest has seen so far: events, matches, and what became of the matches.</summary>
public sealed class BacktestCounts
{
    private readonly Dictionary<string, long> _byException = new(StringComparer.Ordinal);

    public long Events { get; internal set; }

    /// <summary>Events dropped because they arrived later than the lateness allows (after matching had passed their time).</summary>
    public long LateEvents { get; internal set; }

    public long Matches { get; internal set; }

    public long AllowedByExceptions { get; internal set; }

    /// <summary>Matches each exception allowed, keyed "rule name: exception description", so operators see which entries do the work.</summary>
    public IReadOnlyDictionary<string, long> AllowedByException => _byException;

    /// <summary>Matches dropped as duplicates of reported alerts or inside a suppression window.</summary>
    public long Repeats { get; internal set; }

    public long Alerts { get; internal set; }

    /// <summary>Alerts dropped because their rule had already raised max_signals alerts in that interval.</summary>
    public long OverMaxSignals { get; internal set; }

    internal void Allowed(CompiledRule rule, Rules.RuleException exception)
    {
        AllowedByExceptions++;
        var key = $"{rule.Rule.Name}: {exception.Description ?? "(no description)"}";
        _byException[key] = _byException.GetValueOrDefault(key) + 1;
    }
}
