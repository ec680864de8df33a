namespace Vigil.Benchmarks;

/// <summary>
/// One rate of the topology run: what was produced, each group's lag at the end, alert latencies, CPU seconds per
/// process, each consumer's offset resets (librdkafka's, logged by the child during the step), what the broker kept, and
/// the CPU the machine's other processes used meanwhile, and the records each consumer moved past unread (its committed
/// offsets' advance less what it read, so the resets' effect is not only the throttled log's lower bound). CPU is read over its own window (<see cref="CpuWindowSeconds"/>).
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
    double OtherCpuSeconds,
    double CpuWindowSeconds,
    IReadOnlyDictionary<string, long> Skipped)
{
    /// <summary>Cores that processes other than the benchmark's used meanwhile (the shared machine's other work).</summary>
    public double OtherCores => OtherCpuSeconds / CpuWindowSeconds;

    /// <summary>
    /// Cores a process used: its CPU seconds over the time the CPU readings spanned (from before "mark" to after the
    /// children's figures), which is longer than <see cref="Seconds"/>, the producer's count window.
    /// </summary>
    public double Cores(double cpuSeconds) => cpuSeconds / CpuWindowSeconds;
}
