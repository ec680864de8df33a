namespace Vigil.Benchmarks;

/// <summary>
/// How much of the telemetry topic the mock broker kept at the end of a step: records between each partition's log
/// start and end (mean and least over the partitions), and the bytes a record took on the wire in the producer's lz4
/// batches during the step (librdkafka's tx_bytes over txmsgs). librdkafka's mock cluster keeps at most 5 MiB (and
/// 100,000 message sets) per partition, so this is how far behind a consumer may fall before it is reset.
/// </summary>
internal sealed record Retention(double KeptPerPartition, long KeptLeast, int Partitions, double WireBytesPerRecord)
{
    /// <summary>The records the broker keeps, in seconds of the given rate.</summary>
    public double SecondsAt(int rate) => KeptPerPartition * Partitions / Math.Max(1, rate);
}
