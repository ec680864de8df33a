using System.Globalization;
using Vigil.Baseline;
using Vigil.Baseline.Benchmarks;
using Vigil.Testing;

// dotnet run -c Release --project tests/Vigil.Baseline.Benchmarks -- [--events 200000] [--batch 1000] [--hosts 500] [--warmup N (default: the whole workload)] [--interleaved 1] [--allocations 1] [--redis host:port] [--repeat N]
//   or: -- --topology-probe defaults,make-run,make-run-alone,no-age (what the baseline makes of the topology benchmark's workload)
//   or: -- --replay-probe 3 [--start <ns>] (the first 3 steps of that workload, no-age, recorded once and replayed in several batchings, partition orders and bucket phases)
// Without --redis a throwaway redis-server is started on a free loopback port (redis-server must be installed).
var settings = args.Chunk(2).Where(p => p.Length == 2 && p[0].StartsWith("--", StringComparison.Ordinal)).ToDictionary(p => p[0][2..], p => p[1]);
int Setting(string name, int fallback) => settings.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

if (settings.TryGetValue("replay-probe", out var replaySteps))
{
    // The topology probe's "no-age" settings; send times from --start (ns since the epoch, in the past: later ones are clamped).
    await using var replayRedis = await RedisServer.StartAsync();
    var start = long.Parse(settings.GetValueOrDefault("start", "1796000000000000000"), CultureInfo.InvariantCulture);
    await ReplayProbe.RunAsync(replayRedis.Endpoint, new BaselineOptions
    {
        MinObservations = 30, MinAge = TimeSpan.Zero, BucketWidth = TimeSpan.FromSeconds(10), MinVolumeSamples = 20, HostStateRetention = TimeSpan.FromHours(1),
    }, TopologyProbe.Topology.Take(int.Parse(replaySteps, CultureInfo.InvariantCulture)).ToList(), start);
    return;
}

if (settings.TryGetValue("topology-probe", out var probe))
{
    // The topology benchmark's workload through the handler (TopologyProbe): "defaults" (the benchmark's baseline
    // settings), "make-run" (deploy/dev/run.sh's maturity: 30 observations over 2 minutes), "make-run-alone" (those, at
    // the alone steps' rates), "no-age" (30 observations, no minimum age); comma-separated.
    await using var probeRedis = await RedisServer.StartAsync();
    BaselineOptions MakeRun(TimeSpan minAge) => new()
    {
        MinObservations = 30, MinAge = minAge, BucketWidth = TimeSpan.FromSeconds(10), MinVolumeSamples = 20, HostStateRetention = TimeSpan.FromHours(1),
    };
    foreach (var name in probe.Split(','))
    {
        var (options, schedule) = name switch
        {
            "defaults" => (new BaselineOptions(), TopologyProbe.Topology),
            "make-run" => (MakeRun(TimeSpan.FromMinutes(2)), TopologyProbe.Topology),
            "make-run-alone" => (MakeRun(TimeSpan.FromMinutes(2)), TopologyProbe.Alone),
            "no-age" => (MakeRun(TimeSpan.Zero), TopologyProbe.Topology),
            _ => throw new ArgumentException($"--topology-probe: unknown setting {name}"),
        };
        await TopologyProbe.RunAsync(probeRedis.Endpoint, options, schedule, name);
    }

    return;
}

var telemetry = await BaselineThroughputBench.SimulateAsync(Setting("events", 200_000), Setting("hosts", 500));
var bench = new BaselineThroughputBench(telemetry, Setting("batch", 1000), Setting("interleaved", 0) == 1);
RedisServer? server = null;
try
{
    var endpoint = settings.GetValueOrDefault("redis");
    if (endpoint is null)
    {
        server = await RedisServer.StartAsync();
        endpoint = server.Endpoint;
    }

    // A first pass warms up the JIT (tiered recompilation of the hot path) and the script cache; the next two are reported.
    await new BaselineThroughputBench([.. telemetry.Take(Setting("warmup", int.MaxValue))], Setting("batch", 1000), Setting("interleaved", 0) == 1).RunAsync(endpoint);
    var decodeOnly = await bench.RunAsync(endpoint, decodeOnly: true);
    using var sampler = Setting("allocations", 0) == 1 ? new AllocationSampler() : null;
    var result = await bench.RunAsync(endpoint, sampler: sampler);

    // --repeat N: N more pairs of runs, each printed, to judge the noise of a shared machine.
    for (var more = 0; more < Setting("repeat", 0); more++)
    {
        var decoded = await bench.RunAsync(endpoint, decodeOnly: true);
        var handled = await bench.RunAsync(endpoint);
        Console.WriteLine(handled.HandlerCostLine(decoded) + $" [{handled.ToMarkdownRow()}]");
    }
    if (sampler is not null)
    {
        foreach (var (type, share) in sampler.Top(25))
        {
            Console.Error.WriteLine($"{share,7:P1}  {type}");
        }
    }

    Console.WriteLine(BaselineBenchResult.MarkdownHeader);
    Console.WriteLine(decodeOnly.ToMarkdownRow());
    Console.WriteLine(result.ToMarkdownRow());
    Console.WriteLine();
    Console.WriteLine(result.HandlerCostLine(decodeOnly));
}
finally
{
    if (server is not null)
    {
        await server.DisposeAsync();
    }
}
