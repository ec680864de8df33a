using Vigil.Contracts.Telemetry;
using Vigil.Eql;
using Vigil.Eql.Sequences;
using Vigil.Rules;

namespace Vigil.Detection;

/// <summary>A loaded rule ready to run: its compiled query, sequence engine, state serializer and exceptions.</summary>
public sealed record CompiledRule(
    DetectionRule Rule,
    string AnalyticId,
    CompiledQuery<TelemetryEvent> Query,
    SequenceEngine<TelemetryEvent> Engine,
    HostStateSerializer<TelemetryEvent> States,
    RuleExceptionFilter<TelemetryEvent> Exceptions,
    TimeSpan? SuppressionWindow)
{
    public string RuleId => Rule.RuleId;

    /// <summary>Sequence rules keep state per host; single-event rules match statelessly.</summary>
    public bool IsStateful => Query.IsStateful;

    /// <summary>The rule's event time (timestamp_override, else @timestamp).</summary>
    public EventClock Clock { get; init; } = new(null);

    /// <summary>Set for threshold rules: counts matching events per group instead of alerting on each.</summary>
    public ThresholdAggregation? Threshold { get; init; }

    /// <summary>Set for new_terms rules: alerts on combinations not seen within the history window.</summary>
    public NewTermsAggregation? NewTerms { get; init; }

    /// <summary>Threshold and new_terms rules aggregate matching events in their own state instead of alerting on each.</summary>
    public bool IsAggregation => Threshold is not null || NewTerms is not null;
}
