using System.Globalization;
using StackExchange.Redis;
using Vigil.Contracts.Telemetry;
using Vigil.Correlator;
using Vigil.Correlator.Benchmarks;
using Vigil.Detection;
using Vigil.Messaging;
using Vigil.Testing;

// Redis bytes per active host: dotnet run -c Release --project tests/Vigil.Correlator.Benchmarks -- [--hosts 100000] [--markdown]
// (--markdown: the "Redis bytes per active host" section of docs/benchmarks.md, which make bench appends from its run)
// (with --flood: the cost of one flooding host's batches, see Flood.cs)
// (with --throughput: the correlator's route per analytic without Kafka, CPU and allocation per event, see Throughput.cs)
// Every host runs the installer-network pack's sequence to its first step (an installer's shell), through the
// correlator's own route (router → owned states → engine → Redis state store), then goes quiet so its event leaves the
// lateness buffer and waits as a pending partial sequence: the state an active host keeps between its events (a hash
// of two fields: the header and the partial).
if (args.Contains("--throughput"))
{
    return await Throughput.RunAsync(args);
}

if (args.Contains("--flood"))
{
    await Flood.RunAsync(args);
    return 0;
}

var hostsArg = args.SkipWhile(a => a != "--hosts").Skip(1).FirstOrDefault();
var hosts = hostsArg is null ? 100_000 : int.Parse(hostsArg, CultureInfo.InvariantCulture);
const int BatchSize = 1_000;
const int Partitions = 12;

await using var redis = await RedisServer.StartAsync();
await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
var route = new InstallerRoute(connection, new EngineDefaults(TimeSpan.FromSeconds(2)));

var before = UsedMemory(await redis.SendAsync(CancellationToken.None, "INFO", "memory"));
var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
for (var start = 0; start < hosts; start += BatchSize)
{
    var records = Enumerable.Range(start, Math.Min(BatchSize, hosts - start))
        .Select(h => new ConsumedRecord<TelemetryEvent>("telemetry", h % Partitions, h, $"mac-{h:D6}", DateTimeOffset.UnixEpoch, Installer.Shell($"mac-{h:D6}", Installer.T0 + h)))
        .ToList();
    await route.StepAsync(records);
}

// The hosts go quiet: their shells leave the lateness buffer and wait as partial sequences.
await route.ReleaseQuietAsync(BatchSize);

var after = UsedMemory(await redis.SendAsync(CancellationToken.None, "INFO", "memory"));
var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
var sample = route.Keys.State(route.KeyOf("mac-000042"));
var db = connection.GetDatabase();
var keyUsage = (long)await db.ExecuteAsync("MEMORY", "USAGE", sample, "SAMPLES", "0");
var fields = await db.HashGetAllAsync(sample);
var valueBytes = fields.Sum(f => (long)((byte[])f.Name!).Length + ((byte[])f.Value!).Length);
var keys = (long)await db.ExecuteAsync("DBSIZE");

var rows = new (string Figure, string Value)[]
{
    ("hosts with a pending sequence", $"{hosts:N0}"),
    ("Redis keys", $"{keys:N0}"),
    ("Redis `used_memory` growth per host", $"{(after - before) / (double)hosts:N0} bytes ({(after - before) / (1024.0 * 1024):N1} MiB in all)"),
    ("`MEMORY USAGE` of one host's state key", $"{keyUsage:N0} bytes ({fields.Length} fields of {valueBytes:N0} bytes, names and values)"),
    ("correlator heap per host (states in memory)", $"{(heapAfter - heapBefore) / (double)hosts:N0} bytes ({route.Owned.Count:N0} states)"),
};
if (args.Contains("--markdown"))
{
    var version = Field(await redis.SendAsync(CancellationToken.None, "INFO", "server"), "redis_version");
    Console.WriteLine("## Redis bytes per active host");
    Console.WriteLine();
    Console.WriteLine($"Measured in this `make bench` run (`dotnet run -c Release --project tests/Vigil.Correlator.Benchmarks -- --hosts {hosts}`, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC): {hosts:N0} hosts, each with one pending installer-network partial sequence, written through the correlator's own route (router, owned states, engine, state store) to a local redis-server {version}. A host's state is a hash of fields (a header and one field per pending partial or buffered event, so a batch writes only what it changed); an idle host's is a hash of two fields. These are sizes, so the machine's load does not change them.");
    Console.WriteLine();
    Console.WriteLine("| figure | value |");
    Console.WriteLine("|---|---|");
}

foreach (var (figure, value) in rows)
{
    Console.WriteLine($"| {figure} | {value} |");
}

return 0;

static long UsedMemory(string info) => long.Parse(Field(info, "used_memory"), CultureInfo.InvariantCulture);

static string Field(string info, string name) =>
    info.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..];
