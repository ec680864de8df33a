using System.Runtime.CompilerServices;
using Vigil.Contracts.Telemetry;
using Vigil.Eql;
using Vigil.Eql.Documents;
using Vigil.Eql.Sequences;
using Vigil.Rules;

namespace Vigil.Detection;

/// <summary>A loaded rule ready to run: its compiled query, sequence engine, state serializer, exceptions and suppression.</summary>
public sealed record CompiledRule(
    DetectionRule Rule,
    string AnalyticId,
    CompiledQuery<TelemetryEvent> Query,
    SequenceEngine<TelemetryEvent> Engine,
    HostStateSerializer<TelemetryEvent> States,
    RuleExceptionFilter<TelemetryEvent> Exceptions,
    AlertSuppression? Suppression)
{
    public string RuleId => Rule.RuleId;

    /// <summary>
    /// One loaded rule is one object: equality is by reference. A record's generated equality would hash the rule's
    /// whole description and query text on every dictionary lookup keyed by a rule (microseconds per event on the
    /// matching path); two separately compiled rules were never equal anyway, each having its own engine.
    /// </summary>
    public bool Equals(CompiledRule? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => RuntimeHelpers.GetHashCode(this);

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

    /// <summary>Readers of the suppression group_by fields, in the rule's order (empty without suppression).</summary>
    public IReadOnlyList<FieldAccessor<TelemetryEvent>> SuppressionFields { get; init; } = [];

    /// <summary>
    /// The one gate in front of the rule's engine, shared by the streaming correlator and backtests. Exceptions act as
    /// Elastic applies them, as a filter on the events the rule searches: an excepted event never reaches a sequence,
    /// so it can neither complete, consume nor overwrite a pending partial sequence.
    /// </summary>
    public RuleInput Admit(TelemetryEvent e, out ExceptionHit? exception) => Admit(e, out _, out exception);

    /// <summary>
    /// <see cref="Admit(TelemetryEvent, out ExceptionHit?)"/>, also handing out the event's classification: pass it to
    /// <c>Engine.Process(state, e, classification)</c>, or, for a state keyed by the event's host.id and checked once with
    /// <c>Engine.RequireStateOf(state, host)</c>, to <c>Engine.ProcessOfHost(state, e, classification)</c> (what the
    /// correlator does), so the rule's conditions are tested once per event.
    /// </summary>
    public RuleInput Admit(TelemetryEvent e, out EventClassification classification, out ExceptionHit? exception)
    {
        exception = null;
        classification = Query.Classify(e);
        if (!classification.IsRelevant)
        {
            return RuleInput.Irrelevant;
        }

        exception = Exceptions.FindException(e);
        return exception is null ? RuleInput.Admitted : RuleInput.Excepted;
    }
}
