using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigil.Baseline;
using Vigil.Contracts.Decoding;
using Vigil.Contracts.Telemetry;
using Vigil.Correlator;
using Vigil.Messaging;
using Vigil.Messaging.Kafka;
using Vigil.SchemaRegistry;
using Vigil.ServiceDefaults;
using Vigil.Testing;

namespace Vigil.Benchmarks;

/// <summary>
/// The measured side of a benchmark: one consumer in a process of its own, so its CPU time is its own and not the
/// embedded broker's. Kinds: bare (a plain Confluent consumer of byte arrays), consume-decode (Vigil's consume loop and
/// selective decoder, parsing the fields any service's rules read, with a handler that does nothing), consume-decode-full
/// (the same, every field parsed), consume-frame (the same loop, frames checked but no protobuf parsed), correlator:&lt;analytic&gt; and baseline (the real services). It reads
/// the topic from its start and reports, as one JSON line, what it measured between the warm-up count and the end;
/// with --live it runs until told to stop and reports between "mark" and "report" lines on its standard input.
/// </summary>
internal static class ConsumerChild
{
    public const string Service = "bench";

    /// <summary>
    /// Environment variable that makes each child print where its measured window starts and ends ("... window from
    /// record N") on standard error, for a profiler to attach then; unset, the children print only warnings and errors.
    /// </summary>
    public const string WindowLinesVariable = "VIGIL_BENCH_WINDOW_LINES";

    private static bool WindowLines => Environment.GetEnvironmentVariable(WindowLinesVariable) == "1";

    /// <summary>
    /// Environment variable that makes each child sample what it allocates during its measured window, by type (the
    /// runtime's allocation ticks), and print the largest types on standard error when the window ends.
    /// </summary>
    public const string AllocationsVariable = "VIGIL_BENCH_ALLOCATIONS";

    private static readonly AllocationSampler? Allocations = Environment.GetEnvironmentVariable(AllocationsVariable) == "1" ? new AllocationSampler() : null;

    public static async Task<int> RunAsync(ChildOptions options)
    {
        if (!options.Live)
        {
            // A whole pass over the topic first, as a consumer group (and Redis prefix) of its own, in the same
            // process: tiered compilation recompiles a service's hot methods for tens of seconds, which a short
            // measured window would otherwise count as the service's cost per event. The measured pass then reads
            // the same events again, from the start, as a fresh group with empty state.
            var warm = await WarmUpAsync(options with { Group = options.Group + "-warmup", Prefix = options.Prefix is null ? null : options.Prefix + "w" });
            if (options.Kind != "bare")
            {
                // The measured pass builds and starts a host of its own, a second start-up in this process, which a
                // service never has: its start-up code (configuration, DI, a correlator's rule loading and compiling)
                // has call counting installed by now, so running it again crosses the tier-1 threshold and the JIT
                // recompiled 1,000-1,500 such methods inside a correlator's measured window. One more start-up
                // here (and a stop before it reads much) lets those recompile before the measured host starts.
                await StartAndStopAsync(options with { Group = options.Group + "-restart", Prefix = options.Prefix is null ? null : options.Prefix + "r" });
            }

            QuietJit.Wait();

            // More passes while the last one still JIT-compiled methods after its warm-up mark, at most MaxWarmupPasses
            // in all. Methods called a few times per batch, per alert or per state sweep (an alert's rendering and id,
            // protobuf accessors of fields only matches read, Redis housekeeping) cross the tier-1 call count only in the
            // second or third pass: after one pass a correlator's measured window still held 56-349 tier-1
            // compilations, 2-5 % of its CPU on the tiered-compilation worker. A service reading for minutes compiles
            // them once. Per-alert methods (decoding a held event for the alert, the outbox, the alert's protobuf
            // writer) need 30 alerts, and an0167 raises a few per pass of 200,000 events: after 3 passes its window
            // still held 134-160 of them (4.4 % of its CPU), after 7 passes 37 (0.8 %). Their calls count only while
            // the JIT is otherwise quiet, so a pass can be quiet and the next not: the passes go on until two in a row
            // were quiet. A pass takes a few seconds.
            // Methods driven by timers (per second, not per event) keep a trickle going whatever the passes.
            var quietBefore = false;
            while (warm.Passes < MaxWarmupPasses && !(quietBefore && warm.Figures.JitMethods <= QuietPassJitMethods))
            {
                quietBefore = warm.Figures.JitMethods <= QuietPassJitMethods;
                var pass = warm.Passes + 1;
                var next = await WarmUpAsync(options with
                {
                    Group = $"{options.Group}-warmup{pass}",
                    Prefix = options.Prefix is null ? null : $"{options.Prefix}w{pass}",
                });
                warm = (next.Figures, pass);
                QuietJit.Wait();
            }

            warmupPasses = warm.Passes;
        }

        var started = Stopwatch.GetTimestamp();
        if (options.Kind == "bare" && options.Live)
        {
            await BareLive(options);
            return 0;
        }

        if (options.Live)
        {
            using var live = Build(options);
            await live.StartAsync();
            var counted = live.Services.GetRequiredService<KafkaMetrics>().RecordsConsumed.WithLabels(options.Topic, options.Group);
            await Live(options, () => (long)counted.Value);
            await live.StopAsync();
            return 0;
        }

        // Several measured passes, each a fresh group with empty state; the medians are reported (see MedianOf), every
        // pass's figures beside them. On this shared 2-core machine back-to-back passes of one build
        // differed by up to 1.7x: a single pass let one slow moment decide a service's ratio. Five, not three: with
        // three, one slow pass of consume+decode beside a service moved its median, and so the service's ratios, by
        // more than a round's savings (docs/performance.md, twenty-second round).
        var measured = new List<ConsumerFigures>();
        for (var pass = 1; pass <= MeasuredPasses; pass++)
        {
            if (pass > 1)
            {
                // As after each warm-up pass: the last pass's stopped host and any late tier-1 compilation settle first.
                QuietJit.Wait();
            }

            var passOptions = pass == 1 ? options : options with
            {
                Group = $"{options.Group}-m{pass}",
                Prefix = options.Prefix is null ? null : $"{options.Prefix}m{pass}",
            };
            measured.Add(await MeasurePassAsync(passOptions, pass == 1 ? started : Stopwatch.GetTimestamp()));
        }

        Report(MedianOf(measured));
        return 0;
    }

    private static async Task<ConsumerFigures> MeasurePassAsync(ChildOptions options, long started)
    {
        if (options.Kind == "bare")
        {
            return Bare(options, started);
        }

        using var host = Build(options);
        await host.StartAsync();
        var consumed = host.Services.GetRequiredService<KafkaMetrics>().RecordsConsumed.WithLabels(options.Topic, options.Group);
        var figures = Measure(options, () => (long)consumed.Value, started);
        await host.StopAsync();
        return figures;
    }

    /// <summary>
    /// The pass with the median CPU per event (the upper one of an even count: its rate, CPU and JIT figures), with
    /// the allocation of the pass with the median allocation per event (its bytes, decoder growth and GC counts), every
    /// pass's CPU, allocation and growth per event, and the first pass's start-up time. Allocation is taken on its own:
    /// it moves with the decoder's one-off growth, not with the CPU.
    /// </summary>
    internal static ConsumerFigures MedianOf(IReadOnlyList<ConsumerFigures> passes)
    {
        var median = passes.OrderBy(f => f.CpuMicrosPerEvent).ElementAt(passes.Count / 2);
        var allocation = passes.OrderBy(f => f.AllocatedBytesPerEvent).ElementAt(passes.Count / 2);
        return median with
        {
            AllocatedBytes = (long)Math.Round(allocation.AllocatedBytesPerEvent * median.Events),
            DecoderGrowthBytes = (long)Math.Round(allocation.DecoderGrowthBytesPerEvent * median.Events),
            Gen0 = allocation.Gen0,
            Gen1 = allocation.Gen1,
            Gen2 = allocation.Gen2,
            DecoderGrowthBytesByPass = [.. passes.Select(f => f.DecoderGrowthBytesPerEvent)],
            StartupSeconds = passes[0].StartupSeconds,
            CpuMicrosByPass = [.. passes.Select(f => f.CpuMicrosPerEvent)],
            AllocatedBytesByPass = [.. passes.Select(f => f.AllocatedBytesPerEvent)],
            GcPauseMillisecondsByPass = [.. passes.Select(f => f.GcPauseSeconds * 1e3)],
        };
    }

    /// <summary>Measured passes over the topic after the warm-up, the median of which is reported (VIGIL_BENCH_MEASURED_PASSES sets it; 1: one pass, as before).</summary>
    internal static readonly int MeasuredPasses =
        int.TryParse(Environment.GetEnvironmentVariable("VIGIL_BENCH_MEASURED_PASSES"), out var measuredPasses) && measuredPasses > 0 ? measuredPasses : 5;

    /// <summary>Warm-up passes over the topic at most, the first included (VIGIL_BENCH_WARMUP_PASSES sets it; 1: one pass, as before).</summary>
    internal static readonly int MaxWarmupPasses =
        int.TryParse(Environment.GetEnvironmentVariable("VIGIL_BENCH_WARMUP_PASSES"), out var passes) && passes > 0 ? passes : 8;

    /// <summary>A warm-up pass that compiled no more methods than this after its warm-up mark needs no successor.</summary>
    internal const int QuietPassJitMethods = 25;

    /// <summary>The tiered-compilation worker's CPU, sampled while a pass runs (its threads come and go).</summary>
    private static readonly ProcessCpu.JitWorker JitWorker = new();

    private static int warmupPasses;

    private static async Task<(ConsumerFigures Figures, int Passes)> WarmUpAsync(ChildOptions options) =>
        (await MeasurePassAsync(options, Stopwatch.GetTimestamp()), 1);

    private static async Task StartAndStopAsync(ChildOptions options)
    {
        using var host = Build(options);
        await host.StartAsync();
        await host.StopAsync();
    }

    private static IHost Build(ChildOptions options)
    {
        List<string> args =
        [
            "--urls", "http://127.0.0.1:0",
            $"--Kafka:BootstrapServers={options.Bootstrap}", $"--Kafka:TopicManifest={options.Manifest}",
            $"--Kafka:Consumer:GroupId={options.Group}", "--Kafka:Consumer:CommitIntervalMs=200",
            "--Logging:LogLevel:Default=Warning", "--Vigil:LogFormat=simple",
        ];
        if (options.Redis is not null)
        {
            args.AddRange([$"--Redis:Endpoints:0={options.Redis}", $"--Redis:KeyPrefix={options.Prefix}"]);
        }

        if (options.Settings is not null)
        {
            args.AddRange(options.Settings.Split('|', StringSplitOptions.RemoveEmptyEntries));
        }

        if (options.Kind.StartsWith("correlator:", StringComparison.Ordinal))
        {
            args.AddRange(["--analytic", options.Kind["correlator:".Length..], "--rules", options.Rules ?? throw new ArgumentException("--rules")]);
            return CorrelatorApp.Build([.. args]);
        }

        if (options.Kind.StartsWith("watermark:", StringComparison.Ordinal))
        {
            // The same correlator with early reports off: every match waits for the watermark, as rules with until or
            // missing-event steps do.
            args.AddRange(["--analytic", options.Kind["watermark:".Length..], "--rules", options.Rules ?? throw new ArgumentException("--rules"), "--Correlator:ReportEarly=false"]);
            return CorrelatorApp.Build([.. args]);
        }

        if (options.Kind == "baseline")
        {
            args.AddRange(["--grpc-url", "http://127.0.0.1:0"]);
            return BaselineServiceCollectionExtensions.BuildBaseline([.. args]);
        }

        if (options.Kind is not ("consume-decode" or "consume-decode-full" or "consume-frame"))
        {
            throw new ArgumentException($"unknown child kind {options.Kind}");
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder([.. args]);

        // The services' single-line format (--Vigil:LogFormat=simple above), which the benchmark tells apart from its
        // protocol lines and counts offset resets in.
        builder.AddVigilLogging();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddVigilKafka(builder.Configuration);
        if (options.Kind == "consume-frame")
        {
            builder.Services.AddSingleton<IRecordDecoder<TelemetryEvent>, FrameOnlyDecoder>();
        }

        if (options.Kind == "consume-decode")
        {
            // As the services decode: only what some pack's rules or the baseline read (the union of them all).
            var fields = DecodedFields.OfAllServices();
            builder.Services.AddSelectiveTelemetryCodec(builder.Configuration, _ => fields);
        }

        builder.Services.AddProtobufCodec<TelemetryEvent>(builder.Configuration, TopicRole.Telemetry);
        builder.Services.AddKafkaConsumer<TelemetryEvent, DiscardingHandler>(Service);
        return builder.Build();
    }

    /// <summary>What librdkafka alone allows: byte arrays out of the broker, nothing done with them.</summary>
    private static ConsumerFigures Bare(ChildOptions options, long started)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = options.Bootstrap,
            GroupId = options.Group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(options.Topic);
        long count = 0;
        long bytes = 0;
        var meter = new Meter(options.Kind, options.Warmup, options.Events, started, options.Group);
        while (count < options.Events)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(1));
            if (result is null)
            {
                continue;
            }

            bytes += result.Message.Value?.Length ?? 0;
            count++;
            meter.Observe(count);
        }

        consumer.Close();
        GC.KeepAlive(bytes);
        return meter.Figures();
    }

    /// <summary>
    /// The broker's delivery ceiling in the topology: a plain Confluent consumer of byte arrays in a group of its own,
    /// committing every 200 ms as the services do (so its lag is read the same way) and with the services' librdkafka
    /// properties (fetch.wait.max.ms), until stdin says stop. It reports between "mark" and "report" as the services do.
    /// </summary>
    private static async Task BareLive(ChildOptions options)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = options.Bootstrap,
            GroupId = options.Group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = true,
            AutoCommitIntervalMs = 200,
        };
        // Service settings of the form --Kafka:Properties:<librdkafka property>=<value> (every client) and then
        // --Kafka:Consumer:Properties:<property>=<value> (consumers only, so they win, as in the services) apply to
        // this consumer too.
        var settings = (options.Settings ?? string.Empty).Split('|', StringSplitOptions.RemoveEmptyEntries);
        foreach (var prefix in (string[])["--Kafka:Properties:", "--Kafka:Consumer:Properties:"])
        {
            foreach (var setting in settings)
            {
                if (setting.StartsWith(prefix, StringComparison.Ordinal) && setting[prefix.Length..].Split('=', 2) is [var key, var value])
                {
                    config.Set(key, value);
                }
            }
        }

        long count = 0;
        var assigned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var loop = Task.Factory.StartNew(
            () =>
            {
                using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config)
                    .SetPartitionsAssignedHandler((_, _) => assigned.TrySetResult())
                    // Warnings (an offset reset when it fell behind the broker's retention among them) on standard
                    // error, where the benchmark counts them as it does the services' logged ones.
                    .SetLogHandler((_, m) =>
                    {
                        if (m.Level <= SyslogLevel.Warning)
                        {
                            Console.Error.WriteLine($"librdkafka {m.Facility}: {m.Message}");
                        }
                    })
                    .Build();
                consumer.Subscribe(options.Topic);
                while (!stop.IsCancellationRequested)
                {
                    if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is not null)
                    {
                        Interlocked.Increment(ref count);
                    }
                }

                consumer.Close();
            },
            TaskCreationOptions.LongRunning);
        await assigned.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await Live(options, () => Interlocked.Read(ref count));
        await stop.CancelAsync();
        await loop;
    }

    private static ConsumerFigures Measure(ChildOptions options, Func<long> consumed, long started)
    {
        var meter = new Meter(options.Kind, options.Warmup, options.Events, started, options.Group);
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 600);
        long count;
        while ((count = consumed()) < options.Events)
        {
            meter.Observe(count);
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{options.Kind} consumed {count} of {options.Events} events in 10 minutes");
            }

            // Counts move a batch at a time; polling faster would only add wake-ups to the measured CPU.
            Thread.Sleep(10);
        }

        meter.Observe(count);
        return meter.Figures();
    }

    /// <summary>Runs until stdin says stop; "mark" starts a measurement, "report" prints what happened since.</summary>
    private static async Task Live(ChildOptions options, Func<long> consumed)
    {
        Console.WriteLine("started");
        Snapshot? mark = null;
        string? line;
        while ((line = await Console.In.ReadLineAsync()) is not null && line != "stop")
        {
            if (line == "mark")
            {
                mark = Snapshot.Take(consumed());
            }
            else if (line == "report" && mark is { } from)
            {
                var to = Snapshot.Take(consumed());
                Report(to.Since(from, options.Kind, 0));
            }
        }
    }

    private static void Report(ConsumerFigures figures) => Console.WriteLine("figures " + JsonSerializer.Serialize(figures));

    /// <summary>Takes the warm-up snapshot when the count passes the warm-up, and the final one at the end.</summary>
    private sealed class Meter(string kind, long warmup, long events, long started, string group)
    {
        private Snapshot? from;
        private Snapshot? to;

        public void Observe(long count)
        {
            JitWorker.Sample();
            if (from is null && count >= warmup)
            {
                from = Snapshot.Take(count);
                if (Allocations is not null)
                {
                    // Each pass's window on its own: the sampler would otherwise add the warm-up passes' windows in.
                    Allocations.Reset();
                    Allocations.Enabled = true;
                }
                // When to attach a profiler to this process (docs/performance.md), on standard error, which the benchmark
                // passes on: only when asked for, so that a benchmark run's output holds warnings and figures only.
                Announce($"{kind} pid {Environment.ProcessId} group {group}: window from record {count}, methods JIT-compiled so far {System.Runtime.JitInfo.GetCompiledMethodCount()} at {DateTime.UtcNow:HH:mm:ss.fff}");
            }
            else if (to is null && count >= events)
            {
                to = Snapshot.Take(count);
                if (Allocations is { } sampled)
                {
                    sampled.Enabled = false;
                    foreach (var (type, share) in sampled.Top(25))
                    {
                        Console.Error.WriteLine($"{kind} allocated {share,7:P1}  {type}");
                    }

                    var pool = Vigil.Eql.Sequences.HeldBufferPool.Shared;
                    Console.Error.WriteLine($"{kind} held arrays: rented {pool.Rented}, reused {pool.Reused}, returned {pool.Returned}; names rented {pool.ExactRented}, reused {pool.ExactReused}, returned {pool.ExactReturned}; field lists rented {pool.FieldsRented}, reused {pool.FieldsReused}");
                }
                var window = to.Value.Since(from!.Value, kind, 0);
                Announce($"{kind} pid {Environment.ProcessId} group {group}: window to record {count}, methods JIT-compiled so far {System.Runtime.JitInfo.GetCompiledMethodCount()} at {DateTime.UtcNow:HH:mm:ss.fff}; CPU {window.CpuSeconds * 1e6 / Math.Max(1, window.Events):F2} µs per event, GCs {window.Gen0}/{window.Gen1}/{window.Gen2}, GC pauses {window.GcPauseSeconds * 1e3:F0} ms, last ephemeral collection promoted {GC.GetGCMemoryInfo(GCKind.Ephemeral).PromotedBytes / 1024:N0} KB, heap {GC.GetGCMemoryInfo().HeapSizeBytes / (1024 * 1024):N0} MB");
            }
        }

        private static void Announce(string line)
        {
            if (WindowLines)
            {
                Console.Error.WriteLine(line);
            }
        }

        public ConsumerFigures Figures() =>
            to!.Value.Since(from!.Value, kind, (from.Value.At - started) / (double)Stopwatch.Frequency) with { WarmupPasses = warmupPasses };
    }

    private readonly record struct Snapshot(long Count, long At, TimeSpan Cpu, long Allocated, int Gen0, int Gen1, int Gen2, long Jit, TimeSpan JitCpu, long DecoderGrowth, TimeSpan GcPause)
    {
        public static Snapshot Take(long count)
        {
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            return new Snapshot(count, Stopwatch.GetTimestamp(), process.TotalProcessorTime, GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), System.Runtime.JitInfo.GetCompiledMethodCount(), JitWorker.Sample(now: true), DecoderBuffers.GrownBytes, GC.GetTotalPauseDuration());
        }

        public ConsumerFigures Since(Snapshot from, string kind, double startupSeconds) => new(
            kind,
            Count - from.Count,
            (At - from.At) / (double)Stopwatch.Frequency,
            (Cpu - from.Cpu).TotalSeconds,
            Allocated - from.Allocated,
            Gen0 - from.Gen0,
            Gen1 - from.Gen1,
            Gen2 - from.Gen2,
            startupSeconds,
            Jit - from.Jit,
            (JitCpu - from.JitCpu).TotalSeconds,
            DecoderGrowthBytes: DecoderGrowth - from.DecoderGrowth,
            GcPauseSeconds: (GcPause - from.GcPause).TotalSeconds);
    }
}
