using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Vigil.Benchmarks;
using Vigil.Detection;
using Vigil.Testing;

// make bench: dotnet run -c Release --project tests/Vigil.Benchmarks -- [--events N] [--output docs/benchmarks.md] [--throughput-only] [--pipeline-only] [--decode-only] [--engine-only] [--engine-profile SECONDS] [--only bare,consume-frame,consume-decode,consume-decode-full,correlator:an0167,baseline]
// The topology alone (rates, event→alert latency): -- --topology-only [--rates 1000,5000,20000] [--step-seconds 20]
//   [--topology-partitions 48] [--linger-ms 200] [--fetch-wait-ms 20 (0: librdkafka's 500)] [--fetch-error-backoff-ms N] [--watermark-twin installer-network|none]
//   [--bare-rates 80000,120000 (none: skip)] [--alone-rate ceiling|N|none] [--alone-rates 40000,80000,120000 (none)] [--alone-seconds 12]
//   [--alone-kinds correlator:an0167,consume-decode] [--output file]; --rates none skips the services' steps
// The benchmark starts itself again as child processes ("child <kind> ..."): one per measured consumer, and a producer.
if (args is ["child", "produce", ..])
{
    string Arg(string name) => args.SkipWhile(a => a != name).Skip(1).First();
    return await ProducerChild.RunAsync(Arg("--bootstrap"), Arg("--topic"), Arg("--events-file"), int.Parse(Arg("--linger-ms"), CultureInfo.InvariantCulture));
}

if (args is ["child", ..])
{
    return await ConsumerChild.RunAsync(ChildOptions.Parse(args));
}

var eventsArg = args.SkipWhile(a => a != "--events").Skip(1).FirstOrDefault();
var output = args.SkipWhile(a => a != "--output").Skip(1).FirstOrDefault() ?? Path.Combine(TestPaths.RepoRoot, "docs", "benchmarks.md");
var count = eventsArg is null ? 300_000 : long.Parse(eventsArg, CultureInfo.InvariantCulture);
var started = DateTimeOffset.UtcNow;

Console.Error.WriteLine($"Simulating {count:N0} events...");
var events = args.Contains("--topology-only") ? new List<Vigil.Contracts.Telemetry.TelemetryEvent>() : await CollectingSink.SimulateAsync(hosts: 2000, events: count);
var packs = Directory.GetDirectories(Path.Combine(TestPaths.RepoRoot, "rules"))
    .Order(StringComparer.Ordinal)
    .Select(dir => AnalyticPack.Load(Path.GetFileName(dir), dir, TimeSpan.FromSeconds(2)))
    .ToList();

var results = new List<BenchmarkResult>();
if (args.Contains("--rule-types-only"))
{
    Console.WriteLine(RuleTypeBenchmark.Run(events) is var only ? string.Join('\n', only.Details.Select(d => $"| {d.Name} | {d.Value} |")) : string.Empty);
    return 0;
}

if (args.Contains("--decode-only"))
{
    // The decoders alone, in process (full and selective): no broker, no child processes.
    var decode = DecodeBenchmark.Run(events);
    Console.WriteLine(string.Join(", ", DecodedFields.OfAllServices().Paths));
    Console.WriteLine(string.Join('\n', decode.Details.Select(d => $"| {d.Name} | {d.Value} |")));
    return 0;
}

if (args.Contains("--engine-only") || args.Contains("--engine-profile"))
{
    // The in-process engine alone (5 and ~100 rules, with and without the rule index): no broker, no child processes.
    // --engine-profile <seconds>: only the ~100-rule indexed route, looped, for perf or dotnet-trace to attach to.
    var profile = args.SkipWhile(a => a != "--engine-profile").Skip(1).FirstOrDefault();
    var engine = EngineBenchmark.Run(packs, events, profile is null ? 0 : int.Parse(profile, CultureInfo.InvariantCulture)).ToList();
    Console.WriteLine(string.Join('\n', engine.SelectMany(r => new[] { $"## {r.Name}", $"| events/s | {r.EventsPerSecond:N0} |" }.Concat(r.Details.Select(d => $"| {d.Name} | {d.Value} |")))));
    return 0;
}

Console.Error.WriteLine("Consume, decode, each analytic, then the topology at rising rates...");
var onlyKinds = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault()?.Split(',').ToHashSet(StringComparer.Ordinal);
var topologyOnly = args.Contains("--topology-only");
var topology = args.Contains("--throughput-only") ? null : TopologySettings.Parse(args);
// The topology replays its own workload: a scenario every 100 simulated ms (half of them attacks, the rest
// look-alikes) at the simulator's 1,000 events/s, so even the 1,000 events/s step raises alerts for every analytic.
var topologyEvents = topology is null ? new List<Vigil.Contracts.Telemetry.TelemetryEvent>() : await CollectingSink.SimulateAsync(hosts: 2000, events: Math.Min(count, 300_000), TimeSpan.FromMilliseconds(100), eventsPerSecond: 1000);
var pipeline = await PipelineBenchmark.RunAsync(packs, events, topology, topologyEvents, topologyOnly, onlyKinds);
var pipelineSection = new StringBuilder();
PipelineReportWriter.Write(pipeline, pipelineSection);
Console.Error.WriteLine(pipelineSection);
if (topologyOnly)
{
    if (args.Contains("--output"))
    {
        await File.WriteAllTextAsync(output, pipelineSection.ToString());
    }

    return 0;
}

if (args.Contains("--pipeline-only"))
{
    await File.WriteAllTextAsync(output, pipelineSection.ToString());
    return 0;
}

Console.Error.WriteLine("Decoding in process...");
results.Add(DecodeBenchmark.Run(events));
Console.Error.WriteLine("Rule engine in process...");
results.AddRange(EngineBenchmark.Run(packs, events));

Console.Error.WriteLine("Rule types in process...");
results.Add(RuleTypeBenchmark.Run(events));
Console.Error.WriteLine("Ingest end to end: elastic...");
results.AddRange(await IngestBenchmark.RunAsync(events));

var report = new StringBuilder()
    .AppendLine("# Benchmarks")
    .AppendLine()
    .AppendLine("Written by `make bench` (`dotnet run -c Release --project tests/Vigil.Benchmarks -- --events N`, then `tests/Vigil.Baseline.Benchmarks` and `tests/Vigil.Correlator.Benchmarks -- --hosts 100000 --markdown`); figures from the last run. Every figure below comes from that one run on the same embedded broker. [performance.md](performance.md) says how the consumers are measured, where an event's CPU and memory go, and what was tried.")
    .AppendLine()
    .AppendLine($"- Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, .NET {Environment.Version}, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB")
    .AppendLine(CultureInfo.InvariantCulture, $"- Run: {started:yyyy-MM-dd HH:mm} UTC, {(DateTimeOffset.UtcNow - started).TotalMinutes:F1} min; workload: fleet-sim seed 42, 2,000 hosts, {events.Count:N0} events (background activity plus a scenario every 5 simulated seconds)")
    .AppendLine("- Broker: the embedded librdkafka mock cluster (3 brokers, in the benchmark's process); Redis: a local redis-server 7 on loopback. Real Kafka and Redis over a network will differ.")
    .AppendLine();
report.Append(pipelineSection);
foreach (var result in results)
{
    report.AppendLine($"## {result.Name}").AppendLine()
        .AppendLine(result.Workload).AppendLine()
        .AppendLine("| figure | value |").AppendLine("|---|---|")
        .AppendLine(CultureInfo.InvariantCulture, $"| {result.Unit}/s | {result.EventsPerSecond:N0} |")
        .AppendLine(CultureInfo.InvariantCulture, $"| {result.Unit} | {result.Events:N0} in {result.Elapsed.TotalSeconds:F2} s |");
    foreach (var (name, value) in result.Details)
    {
        report.AppendLine($"| {name} | {value} |");
    }

    report.AppendLine();
}

report.AppendLine("## Rule engine with 5 and with ~100 rules").AppendLine()
    .AppendLine("The \"Rule engine in process, 5 rules\" and \"..., 101 rules\" sections above, measured in this run (the ~100 rules: the packs plus rules shaped like Elastic's macOS content, indexed and every rule checked); `--engine-only` runs them alone, `--engine-profile SECONDS` loops the ~100-rule route for a profiler.").AppendLine();

// Redis bytes per active host is measured by tests/Vigil.Correlator.Benchmarks in the same make bench run, which appends
// its section after this file is written. One flooding host's figures are measured apart (--flood, about 90 s): the
// section the last such run left is carried over rather than lost to this run's rewrite of the file.
report.Append(CarriedFloodSection(output)
    ?? "## One flooding host\n\n`dotnet run -c Release --project tests/Vigil.Correlator.Benchmarks -- --flood` measures it (apart from `make bench`).\n\n");

await File.WriteAllTextAsync(output, report.ToString());
Console.WriteLine(report);
Console.Error.WriteLine($"Wrote {output}");
return 0;

/// <summary>The flood section of the last run's file: a section of its own, or (as files before it) a subsection of the Redis bytes one.</summary>
static string? CarriedFloodSection(string file)
{
    if (!File.Exists(file))
    {
        return null;
    }

    var text = File.ReadAllText(file);
    foreach (var heading in new[] { "## One flooding host", "### One flooding host" })
    {
        var start = text.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        if (start < 0)
        {
            continue;
        }

        start++;
        var end = text.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        var section = (end < 0 ? text[start..] : text[start..(end + 1)]).TrimEnd('\n');
        return "## One flooding host" + section[heading.Length..] + "\n\n";
    }

    return null;
}
