using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Messaging;
using Vigil.Messaging.Kafka;
using Vigil.SchemaRegistry;
using Vigil.Testing;

namespace Vigil.Benchmarks;

/// <summary>
/// Consume, decode and every analytic against one embedded broker in one run. The broker (and Redis) stay in this
/// process (and redis-server); every measured consumer runs in a child process of its own, so its CPU time and
/// allocations are its own. Part one: each consumer alone reads the whole topic as fast as it can (throughput, CPU
/// and bytes per event after warm-up, ratios to consume+decode). Part two: the make-run topology (four correlators
/// and the baseline at once, a producer process) at rising rates, with lag, event→alert latency and CPU per process.
/// </summary>
internal static class PipelineBenchmark
{
    /// <summary>As deploy/topics.json declares the telemetry topic; more when the workload needs them (see <see cref="PartitionsFor"/>).</summary>
    public const int MinPartitions = 48;

    /// <summary>The mock broker keeps at most 5 MiB per partition and drops older data; 3 MiB of records per partition leaves room.</summary>
    private const long BytesPerPartition = 3L << 20;

    /// <param name="only">Kinds of consumer to run alone (all when null), e.g. "bare,consume-decode" while tuning.</param>
    /// <param name="topology">The topology part's rates and dev-broker setup; null skips it (--throughput-only).</param>
    /// <param name="topologyEvents">The topology's workload (attack scenarios dense enough that every step raises alerts).</param>
    /// <param name="topologyOnly">Skips the consumers alone (--topology-only).</param>
    public static async Task<PipelineReport> RunAsync(
        IReadOnlyList<AnalyticPack> packs,
        IReadOnlyList<TelemetryEvent> events,
        TopologySettings? topology,
        IReadOnlyList<TelemetryEvent> topologyEvents,
        bool topologyOnly,
        IReadOnlySet<string>? only = null)
    {
        await using var broker = new EmbeddedKafkaBroker();
        await using var redis = await RedisServer.StartAsync();
        var redisPid = int.Parse(RedisInfo(await redis.SendAsync(CancellationToken.None, "INFO", "server"), "process_id"), CultureInfo.InvariantCulture);
        var work = Directory.CreateTempSubdirectory("vigil-bench-");
        try
        {
            var loadBefore = ProcessCpu.LoadAverage();
            var services = packs.Select(p => "correlator:" + p.Analytic).Append("baseline").ToList();
            var kinds = new List<string> { "bare", "consume-frame", "consume-decode", "consume-decode-full" };
            if (only is null)
            {
                // consume+decode is the reference every analytic is compared with, so it runs before the first, between
                // each two and after the last: each analytic's ratios are to the runs next to it, a minute or two apart,
                // not to one a quarter of an hour away (the shared machine's speed moved 30 % within one run). The
                // bare consumer likewise runs first and last.
                foreach (var service in services)
                {
                    kinds.Add(service);
                    kinds.Add("consume-decode");
                }
            }
            else
            {
                kinds.AddRange(services);
            }

            kinds.Add("bare");
            kinds.RemoveAll(k => (only is not null && !only.Contains(k)) || topologyOnly);

            var codec = new ProtobufRecordCodec<TelemetryEvent>(1);
            var bytes = events.Sum(e => (long)codec.Encode(e).Length);
            var partitions = PartitionsFor(bytes);
            var topics = Topics(broker, "bench", packs, partitions);
            await topics.CreateAsync();
            var manifest = topics.WriteManifest(work.FullName);
            if (kinds.Count > 0)
            {
                await PublishAsync(broker, topics, events);
            }

            // This process holds the simulated workloads (several GB of objects with the topology's) and just dropped the
            // encoded copies: one blocking collection now, so that no background collection of this heap runs on the
            // shared cores while the first consumers are measured.
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();

            var rows = new List<ServiceRow>();
            foreach (var kind in kinds)
            {
                Console.Error.WriteLine($"Consumer alone: {kind}...");
                rows.Add(await RunAloneAsync(kind, broker, topics, manifest, packs, redis.Endpoint, events.Count));
            }

            var run = topology is null
                ? new TopologyRun([], [], [], null)
                : await RunTopologyAsync(broker, packs, redis.Endpoint, redisPid, topologyEvents, work.FullName, topology);
            return new PipelineReport(rows, run, partitions, bytes / (double)events.Count, events.Count, loadBefore, ProcessCpu.LoadAverage(), packs.Select(p => p.Analytic).ToList(), topology);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Enough partitions that the whole workload stays within the mock broker's retention (none is dropped unread).</summary>
    public static int PartitionsFor(long bytes) => (int)Math.Max(MinPartitions, (bytes + BytesPerPartition - 1) / BytesPerPartition);

    private static TestTopics Topics(EmbeddedKafkaBroker broker, string name, IReadOnlyList<AnalyticPack> packs, int partitions) =>
        new(broker, name, telemetryPartitions: partitions,
        [
            new ConsumerGroupDeclaration("vigil.bench", ConsumerChild.Service, null, []),
            new ConsumerGroupDeclaration("vigil.baseline", "baseline", "an1227", []),
            .. packs.Select(p => new ConsumerGroupDeclaration("vigil.correlator." + p.Analytic, "correlator", p.Analytic, [])),
        ]);

    private static async Task<ServiceRow> RunAloneAsync(string kind, EmbeddedKafkaBroker broker, TestTopics topics, string manifest, IReadOnlyList<AnalyticPack> packs, string redis, int events)
    {
        var options = new ChildOptions(
            kind, broker.BootstrapServers, manifest, topics.Telemetry, $"bench-{kind.Replace(':', '-')}-{Guid.NewGuid():N}",
            events, events / 4, RulesOf(kind, packs), redis, $"b{Guid.NewGuid():N}"[..12], Live: false);
        var brokerCpu = ProcessCpu.Of(Environment.ProcessId);
        var started = Stopwatch.GetTimestamp();
        await using var child = ChildProcess.Start(kind, options.ToArguments());
        // Ten minutes per pass over the topic, for the warm-up passes (at most MaxWarmupPasses) and the measured ones, but
        // no more than 40 minutes for a child in all: a pass takes seconds, and a child that hangs should not take hours.
        var figures = await child.FiguresAsync(TimeSpan.FromMinutes(Math.Min(40, 10 * (ConsumerChild.MaxWarmupPasses + ConsumerChild.MeasuredPasses))));
        var brokerSeconds = (ProcessCpu.Of(Environment.ProcessId) - brokerCpu).TotalSeconds;
        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new ServiceRow(kind, figures, brokerSeconds / wall);
    }

    private static string? RulesOf(string kind, IReadOnlyList<AnalyticPack> packs) =>
        kind.Split(':') is ["correlator" or "watermark", var analytic] ? packs.Single(p => p.Analytic == analytic).Directory : null;

    /// <summary>
    /// The make-run topology at rising rates: four correlators and the baseline as processes (plus, with
    /// <see cref="TopologySettings.WatermarkTwin"/>, one correlator with early reports off writing to an alert topic of
    /// its own), a producer process, the broker here. A rate is sustained when, at the end of its step, the producer
    /// kept up and every group's lag is under one second of events (plus <see cref="LagAllowance"/>); stepping stops at
    /// the first rate that is not. Then, with the services stopped, the same producer and a bare Confluent consumer
    /// (its own group, the services' fetch settings, the same step length and lag rule) at <see cref="TopologySettings.BareRates"/>:
    /// the highest rate the embedded broker delivers at all. Last, each service alone with the producer at that rate.
    /// </summary>
    private static async Task<TopologyRun> RunTopologyAsync(EmbeddedKafkaBroker broker, IReadOnlyList<AnalyticPack> packs, string redis, int redisPid, IReadOnlyList<TelemetryEvent> events, string work, TopologySettings settings)
    {
        var topics = Topics(broker, "topology", packs, settings.Partitions);
        await topics.CreateAsync();
        var manifest = topics.WriteManifest(work);
        var eventsFile = Path.Combine(work, "events.bin");
        EventFile.Write(eventsFile, events);
        // librdkafka's default fetch.wait.max.ms is 500 ms; the embedded broker holds every fetch that finds no data for
        // that long, even when data arrives meanwhile (Kafka answers at once). Consumers of make run's dev broker set it lower.
        var serviceSettings = settings.ServiceSettings();

        var consumers = new List<(ChildProcess Child, string Group)>();
        var run = new TopologyRun([], [], [], null);
        var classes = packs.SelectMany(p => p.Rules).GroupBy(r => r.RuleId).ToDictionary(g => g.Key, g => ClassOf(g.First()));
        using var alerts = new AlertLatencies(broker.BootstrapServers, topics.Alerts, a => a.Producer.StartsWith("baseline", StringComparison.Ordinal) ? LatencyClass.Baseline : classes.GetValueOrDefault(a.Rule.Id, LatencyClass.OnArrival));
        AlertLatencies? twinAlerts = null;
        var kinds = packs.Select(p => "correlator:" + p.Analytic).Append("baseline").ToList();
        string GroupOf(string kind) => kind switch
        {
            "consume-decode" or "consume-frame" => "vigil.bench.topology-" + kind,
            "baseline" => topics.Manifest.ConsumerGroup("baseline", "an1227").Name,
            _ when kind.StartsWith("watermark:", StringComparison.Ordinal) => topics.Manifest.ConsumerGroup("correlator", kind["watermark:".Length..]).Name + "-watermark",
            _ => topics.Manifest.ConsumerGroup("correlator", kind["correlator:".Length..]).Name,
        };

        await using var producer = ChildProcess.Start("producer", ["child", "produce", "--bootstrap", broker.BootstrapServers, "--topic", topics.Telemetry, "--events-file", eventsFile, "--linger-ms", settings.ProducerLingerMs.ToString(CultureInfo.InvariantCulture)]);
        // Encoding the workload takes the producer a few seconds: the services start meanwhile.
        var producerReady = producer.ReadAsync("started", TimeSpan.FromMinutes(2));
        try
        {
            var twinManifest = manifest;
            var everyKind = kinds.ToList();
            if (settings.WatermarkTwin is { } twin && settings.Rates.Count > 0)
            {
                everyKind.Add("watermark:" + twin);
                var twinTopic = topics.Alerts + "-watermark";
                await broker.CreateTopicAsync(twinTopic, 4);
                twinManifest = Path.Combine(work, "manifest-watermark.json");
                await System.IO.File.WriteAllTextAsync(twinManifest, (await System.IO.File.ReadAllTextAsync(manifest)).Replace($"\"{topics.Alerts}\"", $"\"{twinTopic}\"", StringComparison.Ordinal));
                twinAlerts = new AlertLatencies(broker.BootstrapServers, twinTopic, _ => LatencyClass.Watermark);
            }

            if (settings.Rates.Count > 0)
            {
                foreach (var kind in everyKind)
                {
                    var options = new ChildOptions(
                        kind, broker.BootstrapServers, kind.StartsWith("watermark:", StringComparison.Ordinal) ? twinManifest : manifest, topics.Telemetry, GroupOf(kind), 0, 0,
                        RulesOf(kind, packs), redis, $"t{Guid.NewGuid():N}"[..12], Live: true, serviceSettings);
                    consumers.Add((ChildProcess.Start(kind, options.ToArguments()), GroupOf(kind)));
                }

                foreach (var (child, _) in consumers)
                {
                    await child.ReadAsync("started", TimeSpan.FromMinutes(2));
                }

                await producerReady;
                Console.Error.WriteLine("Topology: warm-up at 1,000 events/s...");
                producer.Send("rate 1000");
                await Task.Delay(TimeSpan.FromSeconds(12));
                producer.Send("rate 0");
                await Task.Delay(TimeSpan.FromSeconds(5));
                await StepUpAsync(settings.Rates, run.Steps, "Topology", settings, topics, consumers, producer, redisPid, [alerts, .. twinAlerts is null ? [] : new[] { twinAlerts }]);
                await StopAsync(consumers);
            }

            if (settings.BareRates.Count > 0)
            {
                // The bare consumer starts at the end of the topic (nothing is produced meanwhile), so each step
                // measures what it reads of that step's records, not a catch-up on what the services' steps left.
                producer.Send("rate 0");
                var group = "vigil.bench.topology-bare";
                await CommitAtEndAsync(topics, group);
                var options = new ChildOptions("bare", broker.BootstrapServers, manifest, topics.Telemetry, group, 0, 0, null, null, null, Live: true, serviceSettings);
                consumers.Add((ChildProcess.Start("bare", options.ToArguments()), group));
                await consumers[0].Child.ReadAsync("started", TimeSpan.FromMinutes(2));
                await producerReady;
                producer.Send("rate 0");
                await Task.Delay(TimeSpan.FromSeconds(1));
                await StepUpAsync(settings.BareRates, run.BareSteps, "Topology, bare consumer only", settings, topics, consumers, producer, redisPid, []);
                await StopAsync(consumers);
            }

            // The bare consumer's ceiling; when it kept up with none of the rates (a loaded machine), the highest rate the
            // producer and the broker took in, which the report says.
            var aloneRate = settings.AloneRate
                ?? run.BareSteps.LastOrDefault(s => s.Sustained)?.Rate
                ?? run.BareSteps.Where(s => s.Produced >= 0.95 * s.Rate * s.Seconds).Select(s => (int?)s.Rate).Max();
            if (settings.Alone && aloneRate is { } rate)
            {
                await producerReady;
                run = run with { AloneRate = rate };
                foreach (var kind in settings.AloneKinds ?? kinds)
                {
                    run.AloneSteps.AddRange(await RunAloneAtRatesAsync(kind, settings.AloneStepsUpTo(rate), GroupOf(kind) + "-alone", broker, manifest, packs, redis, redisPid, serviceSettings, settings, topics, producer, alerts));
                }
            }
        }
        finally
        {
            await StopAsync(consumers);
            twinAlerts?.Dispose();
        }

        return run;
    }

    /// <summary>
    /// One service alone with the producer and the broker (and redis-server) at rising <paramref name="rates"/>: a group
    /// of its own that starts at the end of the topic, a short warm-up (the JIT's tiers), then one step per rate with
    /// the same rule, each after the previous one's backlog drained, stopping at the first rate not sustained.
    /// </summary>
    private static async Task<List<RateStep>> RunAloneAtRatesAsync(string kind, IReadOnlyList<int> rates, string group, EmbeddedKafkaBroker broker, string manifest, IReadOnlyList<AnalyticPack> packs, string redis, int redisPid, string? serviceSettings, TopologySettings settings, TestTopics topics, ChildProcess producer, AlertLatencies alerts)
    {
        Console.Error.WriteLine($"Topology, {kind} alone at {string.Join(", ", rates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))} events/s...");
        await CommitAtEndAsync(topics, group);
        var options = new ChildOptions(
            kind, broker.BootstrapServers, manifest, topics.Telemetry, group, 0, 0, RulesOf(kind, packs), redis, $"a{Guid.NewGuid():N}"[..12], Live: true, serviceSettings);
        List<(ChildProcess Child, string Group)> consumers = [(ChildProcess.Start(kind, options.ToArguments()), group)];
        try
        {
            await consumers[0].Child.ReadAsync("started", TimeSpan.FromMinutes(2));
            producer.Send(string.Create(CultureInfo.InvariantCulture, $"rate {Math.Min(rates[0], AloneWarmUpRate)}"));
            await Task.Delay(AloneWarmUp);
            producer.Send("rate 0");
            await DrainAsync(topics, group, AloneDrainLimit);
            var steps = new List<RateStep>();
            foreach (var rate in rates)
            {
                var threadsBefore = ProcessCpu.ThreadsOf(consumers[0].Child.Pid);
                var step = await RunStepAsync(rate, settings with { StepLength = settings.AloneStep }, topics, consumers, producer, redisPid, [alerts]);
                var threads = ProcessCpu.BusiestThreads(threadsBefore, ProcessCpu.ThreadsOf(consumers[0].Child.Pid), step.CpuWindowSeconds);
                steps.Add(step);
                var service = step.Cores(step.CpuSecondsByProcess[consumers[0].Child.Name]);
                var read = step.ConsumerFigures[consumers[0].Child.Name].EventsPerSecond;
                Console.Error.WriteLine(Invariant($"  {rate:N0}/s: produced {step.Produced / step.Seconds:N0}/s, read {read:N0}/s, sustained: {step.Sustained}, lag {step.LagByConsumer.Values.Max():N0}, offset resets {step.OffsetResets.Values.Sum():N0}, records skipped ~{step.Skipped.Values.Sum():N0}, kept {step.Retention.KeptPerPartition:N0} records per partition ({step.Retention.SecondsAt(rate):F1} s), {step.Retention.WireBytesPerRecord:F0} B per record on the wire, alerts {step.Latencies.Count}, service {service:F2} cores, all {step.Cores(step.CpuSecondsByProcess.Values.Sum()):F2} cores, other processes on the machine {step.OtherCores:F2} cores, load {ProcessCpu.LoadAverage()}; busiest threads (cores): {threads}"));
                if (!step.Sustained)
                {
                    break;
                }

                // Drain what the step left, so the next starts level.
                var left = await DrainAsync(topics, group, AloneDrainLimit);
                if (left > LagAllowance)
                {
                    Console.Error.WriteLine(Invariant($"  still {left:N0} records behind after {AloneDrainLimit.TotalSeconds:F0} s of draining"));
                }
            }

            return steps;
        }
        finally
        {
            await StopAsync(consumers);
        }
    }

    /// <summary>
    /// Commits <paramref name="group"/>'s offsets at the telemetry topic's end (the producer is idle), so a consumer
    /// joining it reads only what is produced from now on. Setting auto.offset.reset to latest instead would also
    /// apply when a consumer falls behind the mock broker's retention (5 MiB per partition), and jump it to the end:
    /// its lag would vanish. With committed offsets, the services' earliest stays what happens then.
    /// </summary>
    private static async Task CommitAtEndAsync(TestTopics topics, string group)
    {
        // What the producer batched (linger) before it went idle is on the broker by now.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = topics.Broker.BootstrapServers, GroupId = group, EnableAutoCommit = false }).Build();
        consumer.Commit(topics.EndOffsets().Select(e => new TopicPartitionOffset(topics.Telemetry, e.Key, e.Value)));
    }

    /// <summary>
    /// The records of lag a step allows beyond one second of events: what is in flight in the last batches and not yet
    /// committed. It was 1,000 per partition with 12 partitions; it stays 12,000 with 48, so that more partitions do not
    /// loosen the rule.
    /// </summary>
    internal const int LagAllowance = 12_000;

    /// <summary>A service's warm-up before its step alone: long enough for the JIT's tier-1 recompilation of the hot path.</summary>
    internal const int AloneWarmUpRate = 10_000;

    internal static readonly TimeSpan AloneWarmUp = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait for a service's lag to come back within the allowance before its next step.</summary>
    internal static readonly TimeSpan AloneDrainLimit = TimeSpan.FromSeconds(10);

    private static async Task StepUpAsync(IReadOnlyList<int> rates, List<RateStep> steps, string what, TopologySettings settings, TestTopics topics, List<(ChildProcess Child, string Group)> consumers, ChildProcess producer, int redisPid, IReadOnlyList<AlertLatencies> alerts)
    {
        foreach (var rate in rates)
        {
            Console.Error.WriteLine($"{what} at {rate:N0} events/s...");
            var step = await RunStepAsync(rate, settings, topics, consumers, producer, redisPid, alerts);
            steps.Add(step);
            producer.Send("rate 0");
            Console.Error.WriteLine(Invariant($"  produced {step.Produced / step.Seconds:N0}/s, sustained: {step.Sustained}, largest lag {step.LagByConsumer.Values.Max():N0}, offset resets {step.OffsetResets.Values.Sum():N0}, kept {step.Retention.KeptPerPartition:N0} records per partition ({step.Retention.SecondsAt(rate):F1} s), {step.Retention.WireBytesPerRecord:F0} B per record on the wire, load {ProcessCpu.LoadAverage()}, alerts {step.Latencies.Count}; p50/p99 s by class: {string.Join(", ", step.Latencies.GroupBy(l => l.Class).Select(g => Invariant($"{g.Key} {Quantile(g, 0.5):F2}/{Quantile(g, 0.99):F2} ({g.Count()})")))}"));
            if (!step.Sustained)
            {
                break;
            }

            // Drain what the step left, so the next starts level.
            await Task.Delay(TimeSpan.FromSeconds(5));
        }
    }

    private static async Task StopAsync(List<(ChildProcess Child, string Group)> consumers)
    {
        foreach (var (child, _) in consumers)
        {
            await child.DisposeAsync();
        }

        consumers.Clear();
    }

    /// <summary>Whether a rule's matches wait for the watermark in a correlator (early reports on), as docs/latency.md says.</summary>
    private static LatencyClass ClassOf(CompiledRule rule) =>
        rule.Query.IsSequence && !SequenceReportsEarly(rule) ? LatencyClass.Watermark : LatencyClass.OnArrival;

    private static bool SequenceReportsEarly(CompiledRule rule) =>
        new Vigil.Eql.Sequences.SequenceEngine<TelemetryEvent>(rule.Query, rule.Engine.Options with { ReportEarly = true }).ReportsEarly;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static double Quantile(IEnumerable<AlertLatency> latencies, double q)
    {
        var sorted = latencies.Select(l => l.Milliseconds / 1000).Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
    }

    private static async Task<RateStep> RunStepAsync(int rate, TopologySettings settings, TestTopics topics, List<(ChildProcess Child, string Group)> consumers, ChildProcess producer, int redisPid, IReadOnlyList<AlertLatencies> alerts)
    {
        producer.Send("count");
        var producedBefore = long.Parse(await producer.ReadAsync("count ", TimeSpan.FromSeconds(10)), CultureInfo.InvariantCulture);
        var wireBefore = await WireAsync(producer);
        var resetsBefore = consumers.ToDictionary(c => c.Child.Name, c => c.Child.Log.OffsetResets);
        var committedBefore = consumers.ToDictionary(c => c.Child.Name, c => topics.CommittedOffsets(c.Group));

        // CPU is read from here to after the children's figures, longer than the producer's count window, so it is
        // divided by its own time.
        var cpuStarted = Stopwatch.GetTimestamp();
        var cpuBefore = consumers.ToDictionary(c => c.Child.Name, c => ProcessCpu.Of(c.Child.Pid));
        var brokerBefore = ProcessCpu.Of(Environment.ProcessId);
        var redisBefore = ProcessCpu.Of(redisPid);
        var producerBefore = ProcessCpu.Of(producer.Pid);
        var machineBefore = ProcessCpu.MachineBusy();
        foreach (var (child, _) in consumers)
        {
            child.Send("mark");
        }

        foreach (var reader in alerts)
        {
            reader.StartStep();
        }

        var started = Stopwatch.GetTimestamp();
        producer.Send($"rate {rate}");
        await Task.Delay(settings.StepLength);
        producer.Send("count");
        var produced = long.Parse(await producer.ReadAsync("count ", TimeSpan.FromSeconds(10)), CultureInfo.InvariantCulture) - producedBefore;
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var committedAtCount = consumers.ToDictionary(c => c.Child.Name, c => topics.CommittedOffsets(c.Group));
        foreach (var (child, _) in consumers)
        {
            child.Send("report");
        }

        var figures = new Dictionary<string, ConsumerFigures>();
        foreach (var (child, _) in consumers)
        {
            figures[child.Name] = await child.FiguresAsync(TimeSpan.FromSeconds(30));
        }

        var brokerSeconds = (ProcessCpu.Of(Environment.ProcessId) - brokerBefore).TotalSeconds;
        var cpu = consumers.ToDictionary(c => c.Child.Name, c => (ProcessCpu.Of(c.Child.Pid) - cpuBefore[c.Child.Name]).TotalSeconds);
        cpu["broker (embedded, this process)"] = brokerSeconds;
        cpu["redis-server"] = (ProcessCpu.Of(redisPid) - redisBefore).TotalSeconds;
        cpu["producer"] = (ProcessCpu.Of(producer.Pid) - producerBefore).TotalSeconds;
        var other = Math.Max(0, (ProcessCpu.MachineBusy() - machineBefore).TotalSeconds - cpu.Values.Sum());
        var cpuSeconds = Stopwatch.GetElapsedTime(cpuStarted).TotalSeconds;
        var latencies = alerts.SelectMany(a => a.EndStep()).ToList();
        var lag = consumers.ToDictionary(c => c.Child.Name, c => Lag(topics, c.Group));

        // The next step starts from an idle producer, not with this one's records still coming.
        producer.Send("rate 0");
        var resets = consumers.ToDictionary(c => c.Child.Name, c => c.Child.Log.OffsetResets - resetsBefore[c.Child.Name]);
        var sustained = produced >= 0.95 * rate * seconds
            && lag.Values.All(l => l <= rate + LagAllowance)
            && figures.Values.All(f => KeptReading(f.Events, produced))
            && resets.Values.All(r => r == 0);

        var skipped = consumers.ToDictionary(c => c.Child.Name, c => Skipped(committedBefore[c.Child.Name], committedAtCount[c.Child.Name], figures[c.Child.Name].Events));

        // After the lag, which is the step's verdict: what the broker kept and what a record took on the wire.
        var wire = await WireAsync(producer);
        var kept = Kept(topics, settings.Partitions);
        var retention = new Retention(kept.Average(), kept.Min(), settings.Partitions, (wire.Bytes - wireBefore.Bytes) / (double)Math.Max(1, wire.Records - wireBefore.Records));
        return new RateStep(rate, seconds, produced, lag, sustained, latencies, cpu, figures, resets, retention, other, cpuSeconds, skipped);
    }

    /// <summary>
    /// <paramref name="group"/>'s lag: its committed offsets, then the topic's end offsets read right after them. In
    /// this order the lag can only come out high (by what the producer adds during the second query), never low; read
    /// the other way round, with the end read once before every group's committed offsets, each query taking a fresh
    /// client, the groups committed past that end while the later queries ran and lags of busy steps read 0.
    /// </summary>
    private static long Lag(TestTopics topics, string group)
    {
        var committed = topics.CommittedOffsets(group);
        var end = topics.EndOffsets();
        return committed.Sum(o => Math.Max(0, end[o.Key] - Math.Max(0, o.Value)));
    }

    /// <summary>
    /// Records a consumer moved past without reading them: how far its committed offsets advanced over the step less
    /// the events it read. Unlike the logged offset resets (throttled by the services), this counts every record an
    /// offset reset jumped over; it is approximate by what the commit cadence (200 ms) leaves uncommitted at either end.
    /// </summary>
    private static long Skipped(IReadOnlyDictionary<int, long> before, IReadOnlyDictionary<int, long> after, long read)
    {
        var advanced = after.Where(a => a.Value >= 0 && before.TryGetValue(a.Key, out var b) && b >= 0).Sum(a => a.Value - before[a.Key]);
        return Math.Max(0, advanced - read);
    }

    /// <summary>
    /// Whether a consumer read what the step produced: at least 97 % of it, or short of it by no more than the lag
    /// allowance. The lag at the end alone lets a consumer reading ~89 % of a 12 s step pass (its deficit is under one
    /// second of events plus the allowance).
    /// </summary>
    internal static bool KeptReading(long read, long produced) =>
        read >= 0.97 * produced || produced - read <= LagAllowance;

    /// <summary>
    /// Waits, at most <paramref name="limit"/>, until <paramref name="group"/>'s lag is within the allowance, so a step
    /// does not start with the previous one's backlog; returns the lag it ended with.
    /// </summary>
    private static async Task<long> DrainAsync(TestTopics topics, string group, TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var lag = Lag(topics, group);
            if (lag <= LagAllowance || waited.Elapsed >= limit)
            {
                return lag;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>The producer's totals sent to the brokers so far (records, bytes), as of its last statistics (every second).</summary>
    private static async Task<(long Records, long Bytes)> WireAsync(ChildProcess producer)
    {
        producer.Send("wire");
        var parts = (await producer.ReadAsync("wire ", TimeSpan.FromSeconds(10))).Split(' ');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Records the broker keeps per telemetry partition now: its log end offset minus its log start offset.</summary>
    private static List<long> Kept(TestTopics topics, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = topics.Broker.BootstrapServers, GroupId = $"w-{Guid.NewGuid():N}" }).Build();
        return Enumerable.Range(0, partitions)
            .Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(topics.Telemetry, p), TimeSpan.FromSeconds(10)))
            .Select(w => w.High.Value - w.Low.Value)
            .ToList();
    }

    private static async Task PublishAsync(EmbeddedKafkaBroker broker, TestTopics topics, IReadOnlyList<TelemetryEvent> events)
    {
        using var producer = new KafkaProducerHandle(
            new KafkaClientConfigFactory(Options.Create(new KafkaOptions { BootstrapServers = broker.BootstrapServers })),
            new KafkaMetrics(IsolatedMetrics.Factory()),
            NullLogger<KafkaProducerHandle>.Instance);
        var codec = new ProtobufRecordCodec<TelemetryEvent>(1);
        var publisher = new KafkaTopicPublisher<TelemetryEvent>(producer, codec, topics.Telemetry);
        foreach (var chunk in events.Chunk(5000))
        {
            await publisher.PublishBatchAsync(chunk.Select(e => KeyValuePair.Create(e.Host.Id, e)).ToList());
        }
    }

    private static string RedisInfo(string info, string field) =>
        info.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith(field + ":", StringComparison.Ordinal))[(field.Length + 1)..];
}
