using System.Globalization;

namespace Vigil.Benchmarks;

/// <summary>
/// How the topology part of the benchmark runs: the rates stepped through (stopping at the first not sustained), how
/// long each runs, and the dev-broker setup (telemetry partitions, the load producer's linger, the consumers'
/// fetch.wait.max.ms). <see cref="WatermarkTwin"/> adds a correlator with early reports off, so the rules that wait
/// for the watermark are measured beside those reported on arrival. <see cref="BareRates"/> are the rates stepped
/// through afterwards with only the producer and a bare Confluent consumer on the same broker and topic: what the
/// embedded broker itself delivers, to set Vigil's highest sustained rate against. <see cref="Alone"/> then runs each
/// service alone with the producer at <see cref="AloneRate"/> (null: the highest rate the bare consumer sustained).
/// </summary>
internal sealed record TopologySettings(
    IReadOnlyList<int> Rates,
    TimeSpan StepLength,
    int Partitions,
    int ProducerLingerMs,
    int? FetchWaitMaxMs,
    string? WatermarkTwin,
    IReadOnlyList<int> BareRates,
    bool Alone = true,
    int? AloneRate = null,
    TimeSpan? AloneStepLength = null,
    IReadOnlyList<string>? AloneKinds = null,
    IReadOnlyList<int>? AloneRates = null,
    int? FetchErrorBackoffMs = null)
{
    /// <summary>What `make bench` runs; see docs/latency.md for why the dev broker is set up this way.</summary>
    public static TopologySettings Default { get; } = new(
        [1_000, 5_000, 10_000, 15_000, 20_000, 25_000, 30_000, 40_000], TimeSpan.FromSeconds(20), 48, 200, 20, "installer-network", [40_000, 80_000, 120_000, 160_000], AloneStepLength: TimeSpan.FromSeconds(12), AloneRates: [40_000, 80_000, 120_000]);

    /// <summary>
    /// The rates each service steps through alone: <see cref="AloneRates"/> below <paramref name="top"/>, then
    /// <paramref name="top"/> (the bare consumer's ceiling, or --alone-rate), stopping at the first not sustained.
    /// </summary>
    public IReadOnlyList<int> AloneStepsUpTo(int top) => [.. (AloneRates ?? []).Where(r => r < top).Order(), top];

    /// <summary>The librdkafka properties the services (and the bare consumer) get for the dev broker, as "--Kafka:Consumer:Properties:key=value" entries (consumer properties: the producers do not get them) separated by '|'.</summary>
    public string? ServiceSettings()
    {
        var settings = new List<string>();
        if (FetchWaitMaxMs is { } wait)
        {
            settings.Add(string.Create(CultureInfo.InvariantCulture, $"--Kafka:Consumer:Properties:fetch.wait.max.ms={wait}"));
        }

        if (FetchErrorBackoffMs is { } backoff)
        {
            settings.Add(string.Create(CultureInfo.InvariantCulture, $"--Kafka:Consumer:Properties:fetch.error.backoff.ms={backoff}"));
        }

        return settings.Count == 0 ? null : string.Join('|', settings);
    }

    /// <summary>How long each service runs alone at each of its rates: shorter than the other steps to keep `make bench` under 14 minutes.</summary>
    public TimeSpan AloneStep => AloneStepLength ?? StepLength;

    /// <summary>
    /// Reads --rates 1000,5000,20000 (none: no service steps), --step-seconds, --topology-partitions, --linger-ms,
    /// --fetch-wait-ms (0: librdkafka's own), --watermark-twin (none: off), --bare-rates (none: no bare steps) and
    /// --alone-rate (ceiling: the bare consumer's highest sustained rate; a number; none: no service-alone steps) and
    /// --alone-seconds (each service's step alone) and --alone-kinds (which consumers run alone, e.g.
    /// correlator:an0167,consume-decode; default every correlator and the baseline) and --alone-rates (the rates below
    /// the alone rate each service steps through first; none: only the alone rate) and --fetch-error-backoff-ms (the
    /// consumers' librdkafka fetch.error.backoff.ms; librdkafka's own 500 when not given).
    /// </summary>
    public static TopologySettings Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int? Number(string name) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : null;
        IReadOnlyList<int>? Rates(string name) => Value(name) is { } list
            ? list == "none" ? [] : list.Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToList()
            : null;
        var d = Default;
        var fetchWait = Number("--fetch-wait-ms") ?? d.FetchWaitMaxMs;
        var twin = Value("--watermark-twin") ?? d.WatermarkTwin;
        var alone = Value("--alone-rate") ?? "ceiling";
        return new TopologySettings(
            Rates("--rates") ?? d.Rates,
            Number("--step-seconds") is { } s ? TimeSpan.FromSeconds(s) : d.StepLength,
            Number("--topology-partitions") ?? d.Partitions,
            Number("--linger-ms") ?? d.ProducerLingerMs,
            fetchWait == 0 ? null : fetchWait,
            twin == "none" ? null : twin,
            Rates("--bare-rates") ?? d.BareRates,
            alone != "none",
            alone is "none" or "ceiling" ? null : int.Parse(alone, CultureInfo.InvariantCulture),
            Number("--alone-seconds") is { } a ? TimeSpan.FromSeconds(a) : d.AloneStepLength,
            Value("--alone-kinds")?.Split(',', StringSplitOptions.RemoveEmptyEntries),
            Rates("--alone-rates") ?? d.AloneRates,
            Number("--fetch-error-backoff-ms") ?? d.FetchErrorBackoffMs);
    }

    /// <summary>The command line that runs this topology part alone, as docs/benchmarks.md prints it.</summary>
    public string CommandLine() => string.Create(
        CultureInfo.InvariantCulture,
        $"--topology-only --rates {List(Rates)} --step-seconds {StepLength.TotalSeconds:F0} --topology-partitions {Partitions} --linger-ms {ProducerLingerMs} --fetch-wait-ms {FetchWaitMaxMs ?? 0} --watermark-twin {WatermarkTwin ?? "none"} --bare-rates {List(BareRates)} --alone-rate {(Alone ? AloneRate?.ToString(CultureInfo.InvariantCulture) ?? "ceiling" : "none")} --alone-seconds {AloneStep.TotalSeconds:F0} --alone-rates {List(AloneRates ?? [])}{(FetchErrorBackoffMs is { } b ? $" --fetch-error-backoff-ms {b}" : string.Empty)}");

    private static string List(IReadOnlyList<int> rates) => rates.Count == 0 ? "none" : string.Join(',', rates);
}
