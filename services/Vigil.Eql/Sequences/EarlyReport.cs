namespace Vigil.Eql.Sequences;

/// <summary>
/// A sequence match reported before the time-ordered pass reached its last event (see
/// <see cref="SequenceEngineOptions.ReportEarly"/>): its join key, the position of its last event and of its first
/// (null in a state stored before first events were kept), so neither that pass nor a later preview reports the same
/// sequence, or the same partial completed by other evidence, again.
/// </summary>
internal readonly record struct EarlyReport(JoinKey Key, EventPosition Last, EventPosition? First);
