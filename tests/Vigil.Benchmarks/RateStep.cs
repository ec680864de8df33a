namespace Vigil.Benchmarks;

/// <summary>One rate of the topology run: what was produced, each group's lag at the end, alert latencies, CPU seconds per process.</summary>
internal sealed record RateStep(
    int Rate,
    double Seconds,
    long Produced,
    IReadOnlyDictionary<string, long> LagByConsumer,
    bool Sustained,
    IReadOnlyList<AlertLatency> Latencies,
    IReadOnlyDictionary<string, double> CpuSecondsByProcess,
    IReadOnlyDictionary<string, ConsumerFigures> ConsumerFigures);
