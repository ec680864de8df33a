namespace Vigil.Adapters;

/// <summary>
/// One source format's mapping to the canonical <c>TelemetryEvent</c>. An adapter may keep bounded state between
/// records of the same source (e.g. a process table keyed by audit token), so one instance serves one consumer.
/// </summary>
public interface ITelemetryAdapter
{
    /// <summary>The format name used in deploy/topics.json and by <c>vigil backtest --format</c>.</summary>
    string Format { get; }

    /// <summary>Maps one raw record (one Kafka value, or one line of an export) to zero or more canonical events.</summary>
    AdaptResult Adapt(RawRecord record);
}
