using System.Globalization;
using StackExchange.Redis;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Messaging;
using Vigil.Redis;
using Vigil.Testing;

namespace Vigil.Correlator.Benchmarks;

/// <summary>
/// One host floods distinct partial sequences (installer shells under distinct user.id, 0.1 ms apart, so none expires):
/// the correlator's route (router → owned states → engine → Redis state store) in batches of 1,000, reporting the
/// process CPU per event and the bytes each batch writes, by tenths of the flood, so a cost that grew with the state
/// would show as later tenths costing more. dotnet run -c Release --project tests/Vigil.Correlator.Benchmarks -- --flood [--events 200000]
/// </summary>
internal static class Flood
{
    public static async Task RunAsync(string[] args)
    {
        var eventsArg = args.SkipWhile(a => a != "--events").Skip(1).FirstOrDefault();
        var total = eventsArg is null ? 200_000 : int.Parse(eventsArg, CultureInfo.InvariantCulture);
        const int BatchSize = 1_000;
        await using var redis = await RedisServer.StartAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
        var pack = AnalyticPack.Load(
            "installer-network",
            Path.Combine(TestPaths.RepoRoot, "rules", "installer-network"),
            new EngineDefaults(TimeSpan.FromSeconds(2)) { ReportEarly = true });
        var options = new CorrelatorOptions { Analytic = pack.Analytic };
        var metrics = new CorrelatorMetrics(IsolatedMetrics.Factory());
        var store = new CorrelationStateStore(connection, new CorrelatorKeys(new RedisKeys("vigil"), pack.Analytic), options, metrics);
        var clock = new SteppedClock(DateTimeOffset.FromUnixTimeMilliseconds(Installer.T0 / 1_000_000));
        var owned = new OwnedStates(store, clock);
        var router = new EventRouter(pack, metrics);
        var engine = new CorrelationEngine(pack, clock, metrics);
        var process = System.Diagnostics.Process.GetCurrentProcess();

        Console.WriteLine("| events so far | CPU µs per event | fields set per batch | fields deleted per batch |");
        Console.WriteLine("|---|---|---|---|");
        var tenth = Math.Max(BatchSize, total / 10);
        var cpu = process.TotalProcessorTime;
        var (set, deleted) = (store.FieldsSet, store.FieldsDeleted);
        for (var start = 0; start < total; start += BatchSize)
        {
            var records = Enumerable.Range(start, Math.Min(BatchSize, total - start)).Select(n =>
            {
                var e = Installer.Shell("mac-flooder", Installer.T0 + (n * 100_000L));
                e.Event.Id = $"flood-{n}";
                e.User.Id = $"u-{n}";
                e.Process.EntityId = $"bash-{n}";
                return new ConsumedRecord<TelemetryEvent>("telemetry", 0, n, "mac-flooder", DateTimeOffset.UnixEpoch, e);
            }).ToList();
            var batch = router.Route(records);
            var states = await owned.LoadAsync(batch.Work.Select(w => (w.Key, w.Value.Partition.Partition)).ToList());
            engine.Advance(batch, states);
            await owned.CommitAsync(engine.Seal(batch), batch.HeldChanges);

            var done = start + records.Count;
            if (done % tenth == 0 || done == total)
            {
                process.Refresh();
                var batches = tenth / (double)BatchSize;
                Console.WriteLine(FormattableString.Invariant(
                    $"| {done:N0} | {(process.TotalProcessorTime - cpu).TotalMicroseconds / tenth:N1} | {(store.FieldsSet - set) / batches:N0} | {(store.FieldsDeleted - deleted) / batches:N0} |"));
                cpu = process.TotalProcessorTime;
                (set, deleted) = (store.FieldsSet, store.FieldsDeleted);
            }
        }

        var key = new CorrelatorKeys(new RedisKeys("vigil"), pack.Analytic).State(new StateKey(pack.Rules.Single(), "mac-flooder"));
        var usage = (long)await connection.GetDatabase().ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0");
        Console.WriteLine(FormattableString.Invariant($"flooder's state: {await connection.GetDatabase().HashLengthAsync(key):N0} fields, MEMORY USAGE {usage:N0} bytes"));
    }
}
