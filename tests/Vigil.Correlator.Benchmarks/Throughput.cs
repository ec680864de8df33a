using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Eql.Sequences;
using Vigil.FleetSim;
using Vigil.Messaging;
using Vigil.Messaging.Kafka;
using Vigil.ServiceDefaults;
using Vigil.Testing;

namespace Vigil.Correlator.Benchmarks;

/// <summary>
/// The correlator's own route as the service runs it, minus Kafka and the wall clock, for A/B comparisons that per-service Kafka consumers
/// are too noisy for: the <see cref="CorrelationHandler"/> from the service's DI registration (AddCorrelator, the alert
/// publisher replaced by <see cref="CountingAlertPublisher"/>) against a real redis-server, fed a FleetSim workload
/// of the pipeline benchmark (seed 42, 2,000 hosts; see <see cref="SimulateAsync"/>) as framed records decoded by the service's own selective decoder, in
/// batches of the consume loop's backlog size, each record on the partition murmur2 gives its host id. The service's
/// clock is replaced by one that follows the stream (see <see cref="MeasureAsync"/>), so passes do the same work.
/// dotnet run -c Release --project tests/Vigil.Correlator.Benchmarks -- --throughput [--events 100000]
///   [--analytics an0167,an0994,an0425,installer-network] [--passes 5] [--warmups 3] [--scenario-ms 100] [--sim-rate 1000] [--markdown]
/// Each analytic runs in a child process of its own (so the decoder parses only that pack's fields, as the service's
/// does): warm-up passes, then measured passes, each with a new service provider over a flushed Redis database (no state,
/// alert memory or suppression carried over). A "decode only" pass (the same decoder and records, no handler) precedes
/// each route pass in the same process, as the in-process reference.
/// </summary>
internal static class Throughput
{
    /// <summary>The consume loop's batch limit under backlog: MaxBacklogBatchSize's default, five times MaxBatchSize (1,000).</summary>
    public const int BatchSize = 5_000;

    /// <summary>The dev telemetry topic's partitions (the pipeline benchmark's topic).</summary>
    public const int Partitions = 48;

    // --serial-writes: each batch waits for its own state write (the loop with Kafka:Consumer:OverlapWrites=false).
    private static bool SerialWrites { get; set; }

    /// <summary>Event time spacing of the replayed records: as if produced at 150,000 events/s just before the pass.</summary>
    private const long StampStepNanos = 1_000_000_000 / 150_000;

    private static readonly string[] AllAnalytics = ["an0167", "an0994", "an0425", "installer-network"];

    public static async Task<int> RunAsync(string[] args)
    {
        SerialWrites = args.Contains("--serial-writes");
        var events = int.Parse(Arg(args, "--events") ?? "100000", CultureInfo.InvariantCulture);
        var passes = int.Parse(Arg(args, "--passes") ?? "5", CultureInfo.InvariantCulture);
        var warmups = int.Parse(Arg(args, "--warmups") ?? "3", CultureInfo.InvariantCulture);
        var scenarioInterval = TimeSpan.FromMilliseconds(double.Parse(Arg(args, "--scenario-ms") ?? "100", CultureInfo.InvariantCulture));
        var simulatedRate = double.Parse(Arg(args, "--sim-rate") ?? "1000", CultureInfo.InvariantCulture);
        var markdown = args.Contains("--markdown");
        if (Arg(args, "--child") is { } analytic)
        {
            return await RunAnalyticAsync(analytic, events, warmups, passes, scenarioInterval, simulatedRate, markdown);
        }

        var analytics = Arg(args, "--analytics")?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? AllAnalytics;
        if (markdown)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"Correlator throughput without Kafka ({events:N0} FleetSim events, 2,000 hosts, a scenario every {scenarioInterval.TotalMilliseconds:N0} simulated ms at {simulatedRate:N0} events/s, batches of {BatchSize:N0}, {Partitions} partitions by murmur2(host.id); {warmups} warm-up and {passes} measured passes per analytic, each on a fresh provider and flushed Redis; median (min-max) over the measured passes; {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores)"));
            Console.WriteLine();
            Console.WriteLine("| analytic | row | CPU µs/event | B/event | events/s | redis-server CPU µs/event | alerts/pass |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
        }

        var failed = new List<string>();
        foreach (var name in analytics)
        {
            var code = await RunChildAsync(args, name);
            if (code != 0)
            {
                failed.Add($"{name} (exit {code})");
            }
        }

        if (failed.Count > 0)
        {
            Console.Error.WriteLine($"throughput: failed: {string.Join(", ", failed)}");
            return 1;
        }

        return 0;
    }

    private static async Task<int> RunChildAsync(string[] args, string analytic)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var start = new ProcessStartInfo(self) { UseShellExecute = false };

        // The service's GC: an ASP.NET app's default, server GC (this project's own default is workstation GC).
        start.Environment["DOTNET_gcServer"] = "1";
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(Throughput).Assembly.Location);
        }

        start.ArgumentList.Add("--throughput");
        start.ArgumentList.Add("--child");
        start.ArgumentList.Add(analytic);
        foreach (var name in new[] { "--events", "--passes", "--warmups", "--scenario-ms", "--sim-rate" })
        {
            if (Arg(args, name) is { } value)
            {
                start.ArgumentList.Add(name);
                start.ArgumentList.Add(value);
            }
        }

        foreach (var flag in new[] { "--markdown", "--serial-writes" })
        {
            if (args.Contains(flag))
            {
                start.ArgumentList.Add(flag);
            }
        }

        using var child = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException($"could not start {self}");
        await child.WaitForExitAsync();
        return child.ExitCode;
    }

    private static async Task<int> RunAnalyticAsync(string analytic, int count, int warmups, int passes, TimeSpan scenarioInterval, double simulatedRate, bool markdown)
    {
        if (!System.Runtime.GCSettings.IsServerGC)
        {
            Console.Error.WriteLine("throughput: not under server GC (the service's); figures would not compare");
        }

        var events = await SimulateAsync(count, scenarioInterval, simulatedRate);
        var partitions = events.Select(e => Murmur2Partitioner.Partition(e.Host.Id, Partitions)).ToArray();
        await using var redis = await RedisServer.StartAsync();
        var redisPid = int.Parse(Field(await redis.SendAsync(CancellationToken.None, "INFO", "server"), "process_id"), CultureInfo.InvariantCulture);

        var decode = new List<PassFigures>();
        var route = new List<PassFigures>();
        for (var pass = 0; pass < warmups + passes; pass++)
        {
            await redis.SendAsync(CancellationToken.None, "FLUSHDB");
            var clock = new SteppedClock(DateTimeOffset.UtcNow);
            await using var app = Build(analytic, redis.Endpoint, clock);
            var handler = app.Services.GetRequiredService<CorrelationHandler>();
            var decoder = app.Services.GetRequiredService<IRecordDecoder<TelemetryEvent>>();
            var publisher = (CountingAlertPublisher)app.Services.GetRequiredService<ITopicPublisher<Alert>>();
            var framed = Encode(events, app.Services.GetRequiredService<IRecordEncoder<TelemetryEvent>>(), clock.Now);
            QuietJit.Wait();

            var decoded = await MeasureAsync(framed, partitions, decoder, handler: null, clock, redisPid, () => 0);
            QuietJit.Wait();
            var routed = await MeasureAsync(framed, partitions, decoder, handler, clock, redisPid, () => publisher.Published);
            var measured = pass >= warmups;
            Console.Error.WriteLine(FormattableString.Invariant(
                $"{analytic} {(measured ? "pass" : "warm-up")} {(measured ? pass - warmups + 1 : pass + 1)}: decode {decoded.CpuMicrosPerEvent:F2} µs, route {routed.CpuMicrosPerEvent:F2} µs/event, {routed.BytesPerEvent:N0} B/event (of which the decoder's buffers growing {routed.DecoderGrowthPerEvent:N0}), {routed.EventsPerSecond:N0} events/s, redis {routed.RedisMicrosPerEvent:F2} µs/event, {routed.Alerts} alerts, {decoded.Collections}+{routed.Collections} GCs, {decoded.JitMethods}+{routed.JitMethods} methods JIT-compiled, held-event arrays {routed.HeldRented:N0} rented of which {routed.HeldReused:N0} reused, write argument arrays {routed.ArgumentArraysRented:N0} of which {routed.ArgumentArraysReused:N0} reused"));
            if (measured)
            {
                decode.Add(decoded);
                route.Add(routed);
            }

            if (routed.Alerts == 0)
            {
                // A route that raises nothing over a workload full of attack scenarios is broken, not fast.
                Console.Error.WriteLine($"throughput: {analytic} raised no alerts over {count:N0} events: a broken route (or a workload with too few scenarios, see --scenario-ms), its figures mean nothing");
                return 2;
            }
        }

        Print(analytic, "decode only", decode, markdown);
        Print(analytic, "decode + route", route, markdown);

        // The decoders grow their reusable memory once, at a point of the run that depends on timing (tens of MB, so
        // up to ~200 B/event of a pass): what the route itself allocates is clearer without it.
        Console.Error.WriteLine(FormattableString.Invariant(
            $"{analytic} decode + route without the decoder's buffers growing: B/event {Spread(route.Select(p => p.BytesPerEvent - p.DecoderGrowthPerEvent), "N0")}"));
        return 0;
    }

    /// <summary>
    /// One pass over the records in consume-loop batches: decoded (and handled, with a handler), measured. Before each
    /// batch the clock reads its last event's time (a correlator keeping pace with the stream); after the last, it moves
    /// on by the lateness and a second and the handler releases what it holds, as after a quiet spell: so every pass
    /// releases the same states at the same points, whatever the machine's load, and the figures include releasing.
    /// </summary>
    private static async Task<PassFigures> MeasureAsync(
        byte[][] framed, int[] partitions, IRecordDecoder<TelemetryEvent> decoder, CorrelationHandler? handler, SteppedClock clock, int redisPid, Func<long> alerts)
    {
        var start0 = clock.Now;
        var offsets = new long[Partitions];
        var batch = new List<ConsumedRecord<TelemetryEvent>>(BatchSize);
        var scoped = decoder as IBatchScopedDecoder;
        var alertsBefore = alerts();

        // Each window holds the collections of its own garbage, not of the previous window's: it starts on an empty gen0
        // and ends with one gen0 collection (server GC's gen0 budget is ~100 MB here, about one pass, so otherwise a
        // window holds zero, one or two collections by chance).
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var process = System.Diagnostics.Process.GetCurrentProcess();
        var redisCpu = ProcessCpu.Of(redisPid);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var collections = GC.CollectionCount(0);
        var jit = System.Runtime.JitInfo.GetCompiledMethodCount();
        var (rented, reused) = (HeldBufferPool.Shared.Rented, HeldBufferPool.Shared.Reused);
        var grown = Vigil.Contracts.Decoding.DecoderBuffers.GrownBytes;
        var arguments = CorrelationStateStore.ArgumentArraysUsed;
        var cpu = process.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        Task? unwritten = null;
        for (var start = 0; start < framed.Length; start += BatchSize)
        {
            var end = Math.Min(framed.Length, start + BatchSize);
            for (var i = start; i < end; i++)
            {
                var partition = partitions[i];
                // Decoded and prepared as the consume loop does, one record after the other (IRecordPreparer).
                var value = decoder.Decode(framed[i]);
                batch.Add(new ConsumedRecord<TelemetryEvent>("telemetry", partition, offsets[partition]++, null, DateTimeOffset.UnixEpoch, value) { Preparation = handler?.Prepare(value) ?? 0 });
            }

            if (handler is not null)
            {
                clock.Now = start0 + TimeSpan.FromTicks((end - 1) * StampStepNanos / 100);
                if (SerialWrites)
                {
                    await handler.HandleAsync(batch, CancellationToken.None);
                }
                else
                {
                    // As the consume loop hands batches to a deferred-durability handler: the next batch is handed once
                    // this one was handled and the write before it completed.
                    var written = await handler.HandleDeferredAsync(batch, CancellationToken.None);
                    if (unwritten is not null)
                    {
                        await unwritten;
                    }

                    unwritten = written;
                }
            }

            // As the consume loop: the decoder's payloads are released once the handler is done with the batch.
            scoped?.ReleaseBatch();
            batch.Clear();
        }

        if (unwritten is not null)
        {
            await unwritten;
        }

        if (handler is not null)
        {
            clock.Now += TimeSpan.FromSeconds(3);
            await handler.ReleaseQuietHostsAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
        }

        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        var elapsed = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        cpu = process.TotalProcessorTime - cpu;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        collections = GC.CollectionCount(0) - collections;
        jit = System.Runtime.JitInfo.GetCompiledMethodCount() - jit;
        redisCpu = ProcessCpu.Of(redisPid) - redisCpu;
        var n = (double)framed.Length;
        grown = Vigil.Contracts.Decoding.DecoderBuffers.GrownBytes - grown;
        var argumentsAfter = CorrelationStateStore.ArgumentArraysUsed;
        arguments = (argumentsAfter.Rented - arguments.Rented, argumentsAfter.Reused - arguments.Reused);
        rented = HeldBufferPool.Shared.Rented - rented;
        reused = HeldBufferPool.Shared.Reused - reused;
        return new PassFigures(cpu.TotalMicroseconds / n, allocated / n, n / elapsed.TotalSeconds, redisCpu.TotalMicroseconds / n, alerts() - alertsBefore, collections, jit, rented, reused, grown / n, arguments.Rented, arguments.Reused);
    }

    /// <summary>The correlator as the service registers it (AddCorrelator), its alert publisher counting instead of producing.</summary>
    private static WebApplication Build(string analytic, string redisEndpoint, TimeProvider clock)
    {
        string[] args =
        [
            "--analytic", analytic, "--rules", Path.Combine(TestPaths.RepoRoot, "rules", analytic),
            $"--Redis:Endpoints:0={redisEndpoint}", "--Redis:KeyPrefix=tput",
            "--Kafka:BootstrapServers=127.0.0.1:9", "--Logging:LogLevel:Default=Warning", "--Vigil:LogFormat=simple",
        ];
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults(args);
        builder.Configuration.AddCommandLine(args, CorrelatorServiceCollectionExtensions.Switches.ToDictionary());
        builder.AddCorrelator();
        builder.Services.Replace(ServiceDescriptor.Singleton(clock));
        builder.Services.Replace(ServiceDescriptor.Singleton<ITopicPublisher<Alert>>(sp => new CountingAlertPublisher(sp.GetRequiredService<IRecordEncoder<Alert>>())));
        return builder.Build();
    }

    /// <summary>
    /// FleetSim with seed 42 and 2,000 hosts, as the pipeline benchmark simulates. By default its topology workload (a
    /// scenario every 100 simulated ms at 1,000 events/s, half attacks): its per-service workload (a scenario every 5 s
    /// at 2,000 events/s, --scenario-ms 5000 --sim-rate 2000) has too few scenarios in 100,000 events for every pack to
    /// raise an alert, and a pass that raises none cannot tell a working route from a broken one.
    /// </summary>
    private static async Task<List<TelemetryEvent>> SimulateAsync(int count, TimeSpan scenarioInterval, double simulatedRate)
    {
        var sink = new ListSink();
        await new FleetSimulation(new FleetSimulationOptions
        {
            Seed = 42,
            Hosts = 2000,
            EventsPerSecond = simulatedRate,
            MaxEvents = count,
            ScenarioInterval = scenarioInterval,
        }).RunAsync(sink);
        return sink.Events;
    }

    /// <summary>
    /// The events as framed records, @timestamp restamped as the pipeline benchmark's producer does (wall clock at
    /// production; here as if produced at 150,000 events/s from <paramref name="start"/> on), so the rules' windows see the same times.
    /// </summary>
    private static byte[][] Encode(List<TelemetryEvent> events, IRecordEncoder<TelemetryEvent> encoder, DateTimeOffset start)
    {
        var first = start.ToUnixTimeMilliseconds() * 1_000_000;
        var framed = new byte[events.Count][];
        for (var i = 0; i < events.Count; i++)
        {
            events[i].Timestamp = first + (i * StampStepNanos);
            framed[i] = encoder.Encode(events[i]);
        }

        return framed;
    }

    private static void Print(string analytic, string row, List<PassFigures> passes, bool markdown)
    {
        var cpu = Spread(passes.Select(p => p.CpuMicrosPerEvent), "F2");
        var bytes = Spread(passes.Select(p => p.BytesPerEvent), "N0");
        var rate = Spread(passes.Select(p => p.EventsPerSecond), "N0");
        var routed = row != "decode only";
        var redis = routed ? Spread(passes.Select(p => p.RedisMicrosPerEvent), "F2") : "-";
        var alerts = routed ? Spread(passes.Select(p => (double)p.Alerts), "N0") : "-";
        Console.WriteLine(markdown
            ? $"| {analytic} | {row} | {cpu} | {bytes} | {rate} | {redis} | {alerts} |"
            : $"{analytic} {row}: CPU µs/event {cpu}; B/event {bytes}; events/s {rate}; redis-server CPU µs/event {redis}; alerts/pass {alerts}");
    }

    /// <summary>"median (min-max)".</summary>
    private static string Spread(IEnumerable<double> values, string format)
    {
        var sorted = values.Order().ToList();
        var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        return string.Create(CultureInfo.InvariantCulture, $"{median.ToString(format, CultureInfo.InvariantCulture)} ({sorted[0].ToString(format, CultureInfo.InvariantCulture)}-{sorted[^1].ToString(format, CultureInfo.InvariantCulture)})");
    }

    private static string? Arg(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

    private static string Field(string info, string name) =>
        info.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..];

    private sealed record PassFigures(double CpuMicrosPerEvent, double BytesPerEvent, double EventsPerSecond, double RedisMicrosPerEvent, long Alerts, int Collections, long JitMethods, long HeldRented, long HeldReused, double DecoderGrowthPerEvent, long ArgumentArraysRented, long ArgumentArraysReused);

    private sealed class ListSink : ITelemetrySink
    {
        public List<TelemetryEvent> Events { get; } = [];

        public ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken)
        {
            Events.AddRange(batch);
            return ValueTask.CompletedTask;
        }
    }
}
