namespace Vigil.Eql.Sequences;

/// <summary>
/// A sequence match reported before the time-ordered pass reached its last event (see
/// <see cref="SequenceEngineOptions.ReportEarly"/>): its join key and the position of its last event, so that pass does
/// not report the same sequence again.
/// </summary>
internal readonly record struct EarlyReport(JoinKey Key, EventPosition Last);
