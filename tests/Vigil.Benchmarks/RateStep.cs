namespace Vigil.Benchmarks;

/// <summary>
/// One rate of the topology run: what was produced, each group's lag at the end, alert latencies, CPU seconds per
/// process, each consumer's offset resets (librdkafka's, logged by the child during the step), what the broker kept, and
/// the CPU the machine's other processes used meanwhile.
/// </summary>
internal sealed record RateStep(
    int Rate,
    double Seconds,
    long Produced,
    IReadOnlyDictionary<string, long> LagByConsumer,
    bool Sustained,
    IReadOnlyList<AlertLatency> Latencies,
    IReadOnlyDictionary<string, double> CpuSecondsByProcess,
    IReadOnlyDictionary<string, ConsumerFigures> ConsumerFigures,
    IReadOnlyDictionary<string, long> OffsetResets,
    Retention Retention,
    double OtherCpuSeconds)
{
    /// <summary>Cores that processes other than the benchmark's used meanwhile (the shared machine's other work).</summary>
    public double OtherCores => OtherCpuSeconds / Seconds;
}
