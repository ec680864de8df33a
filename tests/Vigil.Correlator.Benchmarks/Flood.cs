using System.Globalization;
using StackExchange.Redis;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Messaging;
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
        var route = new InstallerRoute(connection, new EngineDefaults(TimeSpan.FromSeconds(2)) { ReportEarly = true });
        var store = route.Store;
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
            await route.StepAsync(records);

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

        var key = route.Keys.State(route.KeyOf("mac-flooder"));
        var usage = (long)await connection.GetDatabase().ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0");
        Console.WriteLine(FormattableString.Invariant($"flooder's state: {await connection.GetDatabase().HashLengthAsync(key):N0} fields, MEMORY USAGE {usage:N0} bytes"));
    }
}
