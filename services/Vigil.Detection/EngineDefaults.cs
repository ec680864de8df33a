using Vigil.Eql.Sequences;

namespace Vigil.Detection;

/// <summary>
/// How a pack's rules run when their [vigil] section does not say otherwise: the lateness, the per-(rule, host) state
/// limits, and whether sequences without maxspan are bounded by the rule's look-back (streaming, as Elastic's scheduled
/// searches see them) or not at all (<see cref="QuerySemantics"/>: what one EQL search over the whole input returns).
/// </summary>
public sealed record EngineDefaults(TimeSpan Lateness)
{
    /// <summary>Join keys with pending partials per (rule, host) state (see SequenceEngineOptions.MaxPendingKeys).</summary>
    public int MaxPendingKeys { get; init; } = SequenceEngineOptions.DefaultMaxPendingKeys;

    /// <summary>Serialized bytes per (rule, host) state.</summary>
    public int MaxStateBytes { get; init; } = HostStateSerializer<object>.DefaultMaxStateBytes;

    /// <summary>No time bound for sequences without maxspan and for samples (a backtest asked for query semantics).</summary>
    public bool QuerySemantics { get; init; }

    /// <summary>
    /// Report sequences without until or missing-event steps as soon as they complete, not after the lateness
    /// (see SequenceEngineOptions.ReportEarly): what a streaming service wants; a backtest keeps time-ordered reports.
    /// </summary>
    public bool ReportEarly { get; init; }
}
