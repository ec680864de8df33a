using System.Globalization;
using StackExchange.Redis;
using Vigil.Contracts.Telemetry;
using Vigil.Correlator;
using Vigil.Correlator.Benchmarks;
using Vigil.Detection;
using Vigil.Messaging;
using Vigil.Redis;
using Vigil.Testing;

// Redis bytes per active host: dotnet run -c Release --project tests/Vigil.Correlator.Benchmarks -- [--hosts 100000]
// (with --flood: the cost of one flooding host's batches, see Flood.cs)
// Every host runs the installer-network pack's sequence to its first step (an installer's shell), through the
// correlator's own route (router → owned states → engine → Redis state store), then goes quiet so its event leaves the
// lateness buffer and waits as a pending partial sequence: the state an active host keeps between its events (a hash
// of two fields: the header and the partial).
if (args.Contains("--flood"))
{
    await Flood.RunAsync(args);
    return;
}

var hostsArg = args.SkipWhile(a => a != "--hosts").Skip(1).FirstOrDefault();
var hosts = hostsArg is null ? 100_000 : int.Parse(hostsArg, CultureInfo.InvariantCulture);
const int BatchSize = 1_000;
const int Partitions = 12;

await using var redis = await RedisServer.StartAsync();
await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
var pack = AnalyticPack.Load("installer-network", Path.Combine(TestPaths.RepoRoot, "rules", "installer-network"), TimeSpan.FromSeconds(2));
var options = new CorrelatorOptions { Analytic = pack.Analytic };
var metrics = new CorrelatorMetrics(IsolatedMetrics.Factory());
var store = new CorrelationStateStore(connection, new CorrelatorKeys(new RedisKeys("vigil"), pack.Analytic), options, metrics);
var clock = new SteppedClock(DateTimeOffset.FromUnixTimeMilliseconds(Installer.T0 / 1_000_000));
var owned = new OwnedStates(store, clock);
var router = new EventRouter(pack, metrics);
var engine = new CorrelationEngine(pack, clock, metrics);

var before = UsedMemory(await redis.SendAsync(CancellationToken.None, "INFO", "memory"));
var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
for (var start = 0; start < hosts; start += BatchSize)
{
    var records = Enumerable.Range(start, Math.Min(BatchSize, hosts - start))
        .Select(h => new ConsumedRecord<TelemetryEvent>("telemetry", h % Partitions, h, $"mac-{h:D6}", DateTimeOffset.UnixEpoch, Installer.Shell($"mac-{h:D6}", Installer.T0 + h)))
        .ToList();
    var batch = router.Route(records);
    var states = await owned.LoadAsync(batch.Work.Select(w => (w.Key, w.Value.Partition.Partition)).ToList());
    engine.Advance(batch, states);
    await owned.CommitAsync(engine.Seal(batch), batch.HeldChanges);
}

// The hosts go quiet: their shells leave the lateness buffer and wait as partial sequences.
clock.Now += TimeSpan.FromSeconds(3);
var quiet = engine.Held.TakeDue(clock.GetUtcNow());
for (var start = 0; start < quiet.Count; start += BatchSize)
{
    var taken = quiet.Skip(start).Take(BatchSize).ToList();
    var batch = new CorrelationBatch();
    engine.Release(batch, taken, await owned.LoadAsync(taken.Select(t => (t.Key, t.Partition.Partition)).ToList()));
    await owned.CommitAsync(engine.Seal(batch), batch.HeldChanges);
}

var after = UsedMemory(await redis.SendAsync(CancellationToken.None, "INFO", "memory"));
var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
var sample = new CorrelatorKeys(new RedisKeys("vigil"), pack.Analytic).State(new StateKey(pack.Rules.Single(), "mac-000042"));
var db = connection.GetDatabase();
var keyUsage = (long)await db.ExecuteAsync("MEMORY", "USAGE", sample, "SAMPLES", "0");
var fields = await db.HashGetAllAsync(sample);
var valueBytes = fields.Sum(f => (long)((byte[])f.Name!).Length + ((byte[])f.Value!).Length);
var keys = (long)await db.ExecuteAsync("DBSIZE");

Console.WriteLine($"| hosts with a pending sequence | {hosts:N0} |");
Console.WriteLine($"| Redis keys | {keys:N0} |");
Console.WriteLine($"| Redis used_memory growth per host | {(after - before) / (double)hosts:N0} bytes ({(after - before) / (1024.0 * 1024):N1} MiB in all) |");
Console.WriteLine($"| MEMORY USAGE of one host's state key | {keyUsage:N0} bytes ({fields.Length} fields of {valueBytes:N0} bytes, names and values) |");
Console.WriteLine($"| correlator heap per host (states in memory) | {(heapAfter - heapBefore) / (double)hosts:N0} bytes ({owned.Count:N0} states) |");
return;

static long UsedMemory(string info) => long.Parse(
    info.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("used_memory:", StringComparison.Ordinal))["used_memory:".Length..],
    CultureInfo.InvariantCulture);
