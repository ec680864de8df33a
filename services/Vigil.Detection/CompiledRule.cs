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
}
