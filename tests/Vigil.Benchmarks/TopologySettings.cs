namespace Vigil.Benchmarks;

/// <summary>
/// How the topology part of the benchmark runs: the rates stepped through (stopping at the first not sustained), how
/// long each runs, and the dev-broker setup (telemetry partitions, the load producer's linger, the consumers'
/// fetch.wait.max.ms). <see cref="WatermarkTwin"/> adds a correlator with early reports off, so the rules that wait
/// for the watermark are measured beside those reported on arrival. <see cref="BareRates"/> are the rates stepped
/// through afterwards with only the producer and a bare Confluent consumer on the same broker and topic: what the
/// embedded broker itself delivers, to set Vigil's highest sustained rate against.
/// </summary>
internal sealed record TopologySettings(
    IReadOnlyList<int> Rates,
    TimeSpan StepLength,
    int Partitions,
    int ProducerLingerMs,
    int? FetchWaitMaxMs,
    string? WatermarkTwin,
    IReadOnlyList<int> BareRates)
{
    /// <summary>What `make bench` runs; see docs/latency.md for why the dev broker is set up this way.</summary>
    public static TopologySettings Default { get; } = new([1_000, 5_000, 10_000, 20_000, 40_000], TimeSpan.FromSeconds(20), 12, 50, 20, "installer-network", [20_000, 40_000, 80_000, 160_000]);

    /// <summary>Reads --rates 1000,5000,20000, --step-seconds, --topology-partitions, --linger-ms, --fetch-wait-ms (0: librdkafka's own), --watermark-twin (none: off) and --bare-rates (none: no bare steps).</summary>
    public static TopologySettings Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int? Number(string name) => Value(name) is { } v ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : null;
        var d = Default;
        var fetchWait = Number("--fetch-wait-ms") ?? d.FetchWaitMaxMs;
        var twin = Value("--watermark-twin") ?? d.WatermarkTwin;
        return new TopologySettings(
            Value("--rates")?.Split(',').Select(r => int.Parse(r, System.Globalization.CultureInfo.InvariantCulture)).ToList() ?? d.Rates,
            Number("--step-seconds") is { } s ? TimeSpan.FromSeconds(s) : d.StepLength,
            Number("--topology-partitions") ?? d.Partitions,
            Number("--linger-ms") ?? d.ProducerLingerMs,
            fetchWait == 0 ? null : fetchWait,
            twin == "none" ? null : twin,
            Value("--bare-rates") is { } bare
                ? bare == "none" ? [] : bare.Split(',').Select(r => int.Parse(r, System.Globalization.CultureInfo.InvariantCulture)).ToList()
                : d.BareRates);
    }
}
