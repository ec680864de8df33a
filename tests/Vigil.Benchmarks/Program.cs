using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Vigil.Benchmarks;
using Vigil.Detection;
using Vigil.Testing;

// make bench: dotnet run -c Release --project tests/Vigil.Benchmarks -- [--events N] [--output docs/benchmarks.md]
var eventsArg = args.SkipWhile(a => a != "--events").Skip(1).FirstOrDefault();
var output = args.SkipWhile(a => a != "--output").Skip(1).FirstOrDefault() ?? Path.Combine(TestPaths.RepoRoot, "docs", "benchmarks.md");
var count = eventsArg is null ? 300_000 : long.Parse(eventsArg, CultureInfo.InvariantCulture);

Console.Error.WriteLine($"Simulating {count:N0} events...");
var events = await CollectingSink.SimulateAsync(hosts: 2000, events: count);
var packs = Directory.GetDirectories(Path.Combine(TestPaths.RepoRoot, "rules"))
    .Order(StringComparer.Ordinal)
    .Select(dir => AnalyticPack.Load(Path.GetFileName(dir), dir, TimeSpan.FromSeconds(2)))
    .ToList();

var results = new List<BenchmarkResult>();
if (args.Contains("--rule-types-only"))
{
    Console.WriteLine(RuleTypeBenchmark.Run(events) is var only ? string.Join('\n', only.Details.Select(d => $"| {d.Name} | {d.Value} |")) : string.Empty);
    return;
}

Console.Error.WriteLine("Rule engine in process...");
results.AddRange(EngineBenchmark.Run(packs, events));
if (args.Contains("--engine-only"))
{
    Console.WriteLine(string.Join('\n', results.SelectMany(r => new[] { $"## {r.Name}", $"| events/s | {r.EventsPerSecond:N0} |" }.Concat(r.Details.Select(d => $"| {d.Name} | {d.Value} |")))));
    return;
}

Console.Error.WriteLine("Rule types in process...");
results.Add(RuleTypeBenchmark.Run(events));
foreach (var pack in packs)
{
    Console.Error.WriteLine($"Correlator end to end: {pack.Analytic}...");
    results.Add(await CorrelatorBenchmark.RunAsync(pack.Analytic, pack.Directory, events));
}

Console.Error.WriteLine("Ingest end to end: elastic...");
results.AddRange(await IngestBenchmark.RunAsync(events));

var report = new StringBuilder()
    .AppendLine("# Benchmarks")
    .AppendLine()
    .AppendLine("Written by `make bench` (`dotnet run -c Release --project tests/Vigil.Benchmarks`); figures from the last run.")
    .AppendLine()
    .AppendLine($"- Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, .NET {Environment.Version}, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB")
    .AppendLine($"- Run: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, workload: fleet-sim seed 42, 2,000 hosts, {events.Count:N0} events (background activity plus a scenario every 5 simulated seconds)")
    .AppendLine("- Broker: the embedded librdkafka mock cluster (3 brokers, in process); Redis: a local redis-server 7 on loopback. Real Kafka and Redis over a network will differ.")
    .AppendLine();
foreach (var result in results)
{
    report.AppendLine($"## {result.Name}").AppendLine()
        .AppendLine(result.Workload).AppendLine()
        .AppendLine("| figure | value |").AppendLine("|---|---|")
        .AppendLine($"| {result.Unit}/s | {result.EventsPerSecond:N0} |")
        .AppendLine($"| {result.Unit} | {result.Events:N0} in {result.Elapsed.TotalSeconds:F2} s |");
    foreach (var (name, value) in result.Details)
    {
        report.AppendLine($"| {name} | {value} |");
    }

    report.AppendLine();
}

await File.WriteAllTextAsync(output, report.ToString());
Console.WriteLine(report);
Console.Error.WriteLine($"Wrote {output}");
