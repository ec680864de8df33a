using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using StackExchange.Redis;
using Vigil.Contracts.Alerts;
using Vigil.Detection;
using Vigil.Messaging.Kafka;
using Vigil.SchemaRegistry;
using Vigil.Testing;

namespace Vigil.Correlator.IntegrationTests;

/// <summary>
/// The fault suite against a real vigil-correlator process, the embedded broker and a real redis-server, while
/// attacks (an installer's shell, then curl) keep arriving: kill -9 and restart cycles, one of two replicas paused
/// (SIGSTOP) past its session and woken, a broker down, Redis killed and restarted, and one host flooding the
/// correlator with distinct partial sequences. Each asserts that every
/// attack that reached the broker alerts, that no alert id is published twice, and that work resumes within a bound;
/// figures go to the chaos report (docs/reliability.md). Runs under `make chaos` only (VIGIL_CHAOS=short|full).
/// </summary>
public sealed class CorrelatorChaosTests : RealStackTests
{
    private const string RuleId = "99239e7d-b0d4-46e3-8609-acafcf99f68c";

    /// <summary>
    /// Kill to consumption again: the first offset the restarted process commits (read from outside, from the
    /// broker), the issue's "consumption resumes within 10 s" in the full form. The short form runs in CI on
    /// shared 2-core runners right after the solution's tests; there the restarted process's start-up, not the
    /// broker, decides (16.8 s was seen here at a load average of 36), so it is held to a looser bound.
    /// </summary>
    private static readonly TimeSpan ConsumeBound = TimeSpan.FromSeconds(ChaosRun.Full ? 10 : 20);

    /// <summary>
    /// Kill to the restarted process's first alert: consumption (above), then the 2 s lateness of the event-time
    /// watermark before a sequence may alert, and the alert's publication.
    /// </summary>
    private static readonly TimeSpan FirstAlertBound = ConsumeBound + TimeSpan.FromSeconds(5);

    /// <summary>An outage's end to the alerts of attacks sent during it (broker, Redis).</summary>
    private static readonly TimeSpan ResumeBound = TimeSpan.FromSeconds(35);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    /// <summary>The longest a replica stays paused waiting for the other to be given its partitions (3 s session).</summary>
    private static readonly TimeSpan PauseBound = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task KillNineAndRestartCyclesOfACorrelatorDuringAttacksLoseAndRepeatNoAlert()
    {
        Assert.SkipUnless(ChaosRun.Enabled, ChaosRun.SkipReason);
        var cycles = ChaosRun.Full ? 10 : 3;
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, "chaos-kill");
        var attacks = new Attacks(harness, "kill");
        using var commits = new GroupCommits(harness);
        var process = StartCorrelator(harness);
        var consumed = new List<double>();
        var resumes = new List<double>();
        try
        {
            using var stop = new CancellationTokenSource();
            var injecting = attacks.InjectUntilAsync(TimeSpan.FromMilliseconds(200), stop.Token);
            for (var cycle = 0; cycle < cycles; cycle++)
            {
                var current = process;
                await Eventually.TrueAsync(() => AlertLines(current) > 0, Patience, $"correlator run {cycle} publishes alerts (stderr: {current.Stderr})");
                await Task.Delay(TimeSpan.FromMilliseconds(500 + Random.Shared.Next(1500)), TestContext.Current.CancellationToken);
                var killed = Stopwatch.StartNew();
                await process.KillAsync();
                // The dead process commits nothing more: whatever moves the group's offsets now is the restarted one.
                var committedAtKill = commits.Total();
                await process.DisposeAsync();
                process = StartCorrelator(harness);
                var restarted = process;
                // Each measured when first seen: an alert is published before the offsets of its batch are committed.
                double? committedAfter = null, alertedAfter = null;
                await Eventually.TrueAsync(
                    () =>
                    {
                        committedAfter ??= commits.Total() > committedAtKill ? killed.Elapsed.TotalSeconds : null;
                        alertedAfter ??= AlertLines(restarted) > 0 ? killed.Elapsed.TotalSeconds : null;
                        return committedAfter is not null && alertedAfter is not null;
                    },
                    Patience,
                    $"restarted correlator {cycle} commits consumed records and publishes alerts (stderr: {restarted.Stderr})");
                consumed.Add(committedAfter!.Value);
                resumes.Add(alertedAfter!.Value);
            }

            await stop.CancelAsync();
            await injecting;
            var outcome = await attacks.SettleAsync();
            ChaosRun.Record(Invariant($"correlator kill -9/restart x{cycles} (static membership, session 3 s): {attacks.Delivered} attacks, {outcome.Missing} lost, {outcome.Duplicates} ids twice; kill -> first commit of the restarted process {Summary(consumed)}; kill -> its first alert {Summary(resumes)}; load average {LoadAverage()}"));
            Assert.Equal(0, outcome.Missing);
            Assert.Equal(0, outcome.Duplicates);
            Assert.All(consumed, r => Assert.True(r <= ConsumeBound.TotalSeconds, Invariant($"consumption resumed {r:0.0} s after the kill (all: {Summary(consumed)})")));
            Assert.All(resumes, r => Assert.True(r <= FirstAlertBound.TotalSeconds, Invariant($"first alert {r:0.0} s after the kill (all: {Summary(resumes)})")));
        }
        finally
        {
            await process.DisposeAsync();
        }
    }

    /// <summary>
    /// The zombie owner: one of two replicas of the analytic is stopped (SIGSTOP: a long GC pause, a frozen VM) while
    /// attacks arrive, for well beyond its 3 s session, so the other replica takes its partitions, replays them from the
    /// last commit and releases the states it left holding events. Then it runs on (SIGCONT) from where it stopped:
    /// whatever it had in flight completes, for partitions it no longer owns, before it learns it lost them and rejoins.
    /// Asserted: every attack that reached the broker alerts, and an alert id is published twice only when the woken
    /// replica published it between waking and being given partitions again: its batch in flight, and records it had
    /// already fetched, handled before it learns the partitions moved, which nothing fences yet (docs/reliability.md,
    /// "A paused owner"). Any other repeat, or a loss, fails it; so could a stale state write of the woken replica, also
    /// unfenced, if it ever made the new owner repeat an alert. The replicas take turns being paused.
    /// </summary>
    /// <remarks>
    /// A pause that finds the replica idle tests nothing a kill does not, so each is aimed at a pass through the outbox
    /// (repeat check, budget, publish, acknowledgement, remember): the replica publishes a pass per batch with matches,
    /// at the pace its batches come, and the pause falls at a random point of the 50 ms before its next pass should log
    /// its alerts, read from its last passes' log times. Its producer lingers 50 ms (Kafka:Producer:LingerMs, 5 ms by
    /// default), so that a pass's alerts wait in the producer long enough for such a pause to catch them there most
    /// times; at the default the same window exists, 10 times shorter.
    /// </remarks>
    [Fact]
    public async Task APausedReplicaThatWakesAfterItsPartitionsMovedLosesNoAlertAndRepeatsOnlyWhatItHadInFlight()
    {
        Assert.SkipUnless(ChaosRun.Enabled, ChaosRun.SkipReason);
        var pauses = ChaosRun.Full ? 5 : 2;
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, "chaos-pause");
        var attacks = new Attacks(harness, "pause");

        // With the consume loop's assigned/revoked/lost lines, to see the partitions move.
        string[] settings = ["--Kafka:Producer:LingerMs=50", "--Logging:LogLevel:Vigil.Messaging.Kafka=Information"];
        var replicas = new[] { StartCorrelator(harness, 0, settings), StartCorrelator(harness, 1, settings) };
        var moved = new List<double>();
        var noticed = new List<double>();
        var alertedAgain = new List<double>();
        var pausedFor = new List<double>();
        var signals = new List<string>();
        var inFlight = new List<string>();
        var started = Stopwatch.StartNew();
        try
        {
            using var stop = new CancellationTokenSource();
            var injecting = attacks.InjectUntilAsync(TimeSpan.FromMilliseconds(100), stop.Token);
            try
            {
                await Eventually.TrueAsync(
                    () => replicas.All(r => AlertLines(r) > 0),
                    Patience,
                    $"both replicas own partitions and publish alerts (stderr: {replicas[0].Stderr} {replicas[1].Stderr})");
                for (var i = 0; i < pauses; i++)
                {
                    var victim = replicas[i % 2];
                    var survivor = replicas[1 - (i % 2)];

                    // Aimed at the victim's next pass through the outbox (see the remarks).
                    var watching = victim.Lines.Count;
                    await Eventually.TrueAsync(() => Passes(victim.Lines.Skip(watching), DateTime.UtcNow).Count >= 4, Patience, $"replica {i % 2} publishes alerts before pause {i} (stderr: {victim.Stderr})");
                    await UntilAsync(NextPass(Passes(victim.Lines.Skip(watching), DateTime.UtcNow), DateTime.UtcNow) - TimeSpan.FromMilliseconds(5 + Random.Shared.Next(45)));

                    var assignedBefore = Assignments(survivor);
                    var from = victim.Lines.Count;
                    var pausedAt = DateTime.UtcNow;
                    var paused = Stopwatch.StartNew();
                    victim.Pause();
                    signals.Add(Invariant($"{pausedAt:HH:mm:ss.fff} replica {i % 2} SIGSTOP"));
                    // Paused until the other replica holds its partitions and a while more (at least 10 s; full:
                    // 10-15 s), so it wakes after the move however loaded the machine is, at most PauseBound.
                    var pause = TimeSpan.FromSeconds(ChaosRun.Full ? 10 + Random.Shared.Next(6) : 10);
                    double? movedAfter = null;
                    while (paused.Elapsed < PauseBound && (paused.Elapsed < pause || movedAfter is null || paused.Elapsed.TotalSeconds < movedAfter + 3))
                    {
                        movedAfter ??= Assignments(survivor) > assignedBefore ? paused.Elapsed.TotalSeconds : null;
                        await Task.Delay(50, TestContext.Current.CancellationToken);
                    }

                    victim.Resume();
                    var resumedAt = DateTime.UtcNow;
                    pausedFor.Add(paused.Elapsed.TotalSeconds);
                    signals.Add(Invariant($"{resumedAt:HH:mm:ss.fff} replica {i % 2} SIGCONT"));
                    Assert.True(movedAfter is not null, $"replica {1 - (i % 2)} was assigned partitions while replica {i % 2} was paused ({paused.Elapsed.TotalSeconds:0} s, session 3 s)");
                    moved.Add(movedAfter!.Value);

                    // Awake: it finishes what it had in flight, learns it was left out of the group (its partitions
                    // lost), rejoins, and is given partitions again.
                    double? lostAfter = null, alertAfter = null;
                    var since = new List<string>();
                    var back = -1;
                    await Eventually.TrueAsync(
                        () =>
                        {
                            since = victim.Lines.Skip(from).ToList();
                            var lost = since.FindIndex(l => !IsAlert(l) && l.Contains(" lost ", StringComparison.Ordinal));
                            back = lost < 0 ? -1 : since.FindIndex(lost, IsAssignment);
                            lostAfter ??= lost >= 0 ? (DateTime.UtcNow - resumedAt).TotalSeconds : null;
                            alertAfter ??= back >= 0 && since.Skip(back).Any(IsAlert) ? (DateTime.UtcNow - resumedAt).TotalSeconds : null;
                            return alertAfter is not null;
                        },
                        Patience,
                        () => $"replica {i % 2} reports its partitions lost after it wakes, rejoins and publishes alerts again (stdout since the pause: {string.Join('\n', victim.Lines.Skip(from).Where(l => !IsAlert(l)))}; stderr: {victim.Stderr})");
                    noticed.Add(lostAfter!.Value);
                    alertedAgain.Add(alertAfter!.Value);

                    // Alerts it published after it woke and before it was given partitions again: work that was in
                    // flight when it stopped, completed for partitions it no longer owned.
                    inFlight.AddRange(since.Take(back).Where(IsAlert).Where(l => LoggedAt(l, pausedAt) >= pausedAt));
                }

                // Attacks keep arriving after the last wake-up, to both replicas again.
                await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            }
            finally
            {
                foreach (var replica in replicas)
                {
                    replica.Resume();
                }

                await stop.CancelAsync();
                await injecting;
            }

            var outcome = await attacks.SettleAsync();
            ChaosRun.Record(Invariant(
                $"correlator replica paused (SIGSTOP) x{pauses} for {Summary(pausedFor)} while a second replica ran (static membership, session 3 s): {attacks.Delivered} attacks, {outcome.Missing} lost, {outcome.Duplicates} ids twice; pause -> the other replica assigned its partitions {Summary(moved)}; wake -> it reports them lost {Summary(noticed)}; wake -> it alerts again {Summary(alertedAgain)}; alerts the woken replica published before it was given partitions again {inFlight.Count}; {started.Elapsed.TotalSeconds:0} s in all; load average {LoadAverage()}"));
            var diagnosis = outcome.Missing + outcome.Duplicates == 0 ? string.Empty : Diagnose(attacks, replicas, outcome.MissingIds, outcome.DuplicateIds, signals);
            Assert.True(outcome.Missing == 0, $"{outcome.Missing} attacks lost{diagnosis}");
            var unexplained = outcome.DuplicateIds.Where(id => !inFlight.Any(l => l.Contains(id, StringComparison.Ordinal))).ToList();
            Assert.True(unexplained.Count == 0, $"{unexplained.Count} of {outcome.Duplicates} alert ids published twice were not the woken replica's in-flight alerts: {string.Join(", ", unexplained)}{diagnosis}");
        }
        finally
        {
            foreach (var replica in replicas)
            {
                // A replica still paused (the test failed mid-pause) is killed where it stopped.
                await replica.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ABrokerDownForTenSecondsOrAMinuteDelaysAttacksOnItsPartitionsButLosesAndRepeatsNone()
    {
        Assert.SkipUnless(ChaosRun.Enabled, ChaosRun.SkipReason);
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, "chaos-broker");
        for (var partition = 0; partition < 6; partition++)
        {
            Broker.Cluster.SetPartitionLeader(harness.Topics.Telemetry, partition, partition % 2 == 0 ? 1 : 2);
        }

        var attacks = new Attacks(harness, "broker");
        await using var process = StartCorrelator(harness);
        using var stop = new CancellationTokenSource();
        var injecting = attacks.InjectUntilAsync(TimeSpan.FromMilliseconds(200), stop.Token);
        try
        {
            await Eventually.TrueAsync(() => AlertLines(process) > 0, Patience, $"the correlator publishes alerts (stderr: {process.Stderr})");
            foreach (var outage in ChaosRun.Full ? new[] { 10, 60 } : [10])
            {
                Broker.Cluster.SetBrokerDown(2);
                var during = attacks.Count;
                await Task.Delay(TimeSpan.FromSeconds(outage), TestContext.Current.CancellationToken);
                Broker.Cluster.SetBrokerUp(2);
                var up = DateTime.UtcNow;
                var sent = attacks.Count;

                // Resume: from the broker's return until every attack sent during the outage alerted.
                var outageIds = attacks.IdsBetween(during, sent);
                await Eventually.TrueAsync(() => outageIds.IsSubsetOf(attacks.AlertIds()), Patience, $"attacks sent while broker 2 was down for {outage} s alert");
                var resumed = (DateTime.UtcNow - up).TotalSeconds;
                ChaosRun.Record(Invariant($"broker 2 of 3 down {outage} s: {outageIds.Count} attacks sent during the outage all alerted {resumed:0.0} s after it returned"));
                Assert.True(resumed <= ResumeBound.TotalSeconds, Invariant($"resumed {resumed:0.0} s after the broker returned"));
            }
        }
        finally
        {
            Broker.Cluster.SetBrokerUp(2);
            await stop.CancelAsync();
            await injecting;
        }

        var outcome = await attacks.SettleAsync();
        ChaosRun.Record(Invariant($"broker outages: {attacks.Delivered} attacks delivered ({attacks.Undelivered} refused by the producer), {outcome.Missing} lost, {outcome.Duplicates} ids twice"));
        Assert.Equal(0, outcome.Missing);
        Assert.Equal(0, outcome.Duplicates);
    }

    [Fact]
    public async Task RedisKilledAndRestartedStallsTheCorrelatorWhichResumesWithoutLosingOrRepeatingAnAlert()
    {
        Assert.SkipUnless(ChaosRun.Enabled, ChaosRun.SkipReason);

        // As the chart recommends for correlator state: an append-only file, so a restarted Redis has its data.
        await using var redis = await RedisServer.StartAsync(new RedisServerSettings { Arguments = ["--appendonly", "yes", "--appendfsync", "always"] });
        await using var harness = await CorrelatorHarness.StartAsync(Broker, redis, "chaos-redis");
        var attacks = new Attacks(harness, "redis");
        await using var process = StartCorrelator(harness);
        using var stop = new CancellationTokenSource();
        var injecting = attacks.InjectUntilAsync(TimeSpan.FromMilliseconds(200), stop.Token);
        try
        {
            await Eventually.TrueAsync(() => AlertLines(process) > 0, Patience, $"the correlator publishes alerts (stderr: {process.Stderr})");
            var outage = ChaosRun.Full ? 30 : 10;
            await redis.StopAsync();
            var during = attacks.Count;
            await Task.Delay(TimeSpan.FromSeconds(outage), TestContext.Current.CancellationToken);
            await redis.RestartAsync();
            var up = DateTime.UtcNow;
            var outageIds = attacks.IdsBetween(during, attacks.Count);
            await Eventually.TrueAsync(() => outageIds.IsSubsetOf(attacks.AlertIds()), Patience, $"attacks sent while Redis was down alert (stderr: {process.Stderr})");
            var resumed = (DateTime.UtcNow - up).TotalSeconds;
            ChaosRun.Record(Invariant($"Redis killed for {outage} s and restarted (AOF): {outageIds.Count} attacks sent meanwhile all alerted {resumed:0.0} s after it returned"));
            Assert.True(resumed <= ResumeBound.TotalSeconds, Invariant($"resumed {resumed:0.0} s after Redis returned"));
        }
        finally
        {
            await stop.CancelAsync();
            await injecting;
        }

        var outcome = await attacks.SettleAsync();
        ChaosRun.Record(Invariant($"Redis restart: {attacks.Delivered} attacks, {outcome.Missing} lost, {outcome.Duplicates} ids twice"));
        Assert.Equal(0, outcome.Missing);
        Assert.Equal(0, outcome.Duplicates);
    }

    [Fact]
    public async Task OneHostFloodingDistinctPartialSequencesIsCappedWhileOtherHostsAttacksAlertOnTime()
    {
        Assert.SkipUnless(ChaosRun.Enabled, ChaosRun.SkipReason);
        var partials = ChaosRun.Full ? 200_000 : 20_000;
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, "chaos-flood");
        // Other hosts' attacks go to the other partitions: the embedded broker keeps only 5 MiB per partition, so a
        // flood larger than that is dropped by the broker before anyone reads it, with whatever else it holds.
        const string Flooder = "mac-flooder";
        var attacks = new Attacks(harness, "flood", avoidPartition: Murmur2Partitioner.Partition(Flooder, 6));
        await using var process = StartCorrelator(harness);
        await attacks.InjectAsync();
        await Eventually.TrueAsync(() => AlertLines(process) > 0, Patience, $"the correlator publishes alerts (stderr: {process.Stderr})");

        // The flood: the installer shell step only, each under its own user.id and entity id (a distinct partial
        // sequence), within one maxspan so none expires by time.
        var flooding = Task.Run(async () =>
        {
            const int Chunk = 2_000;
            for (var i = 0; i < partials; i += Chunk)
            {
                var chunk = Enumerable.Range(i, Math.Min(Chunk, partials - i)).Select(n =>
                {
                    var e = InstallerEvents.ShellFromInstaller(Flooder, InstallerEvents.T0 + (n * 100_000L), $"flood-{n}");
                    e.User.Id = $"u-{n}";
                    e.Process.EntityId = $"bash-{n}";
                    return e;
                }).ToArray();
                await harness.PublishAsync(chunk);
                await Task.Delay(100, CancellationToken.None);
            }
        }, CancellationToken.None);
        var flood = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var injecting = attacks.InjectUntilAsync(TimeSpan.FromMilliseconds(250), stop.Token);
        await flooding;
        var floodSeconds = flood.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await injecting;

        var outcome = await attacks.SettleAsync(TimeSpan.FromMinutes(10));
        var latencies = outcome.Latencies.Order().ToList();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(Redis.Endpoint);
        var server = connection.GetServers()[0];
        // What Redis itself spends on each of the flooder's keys (a state is a hash of fields, one per partial and event).
        var flooderKeys = server.Keys(pattern: $"*{{{Flooder}}}*").Select(k => (Key: (string)k!, Bytes: (long)connection.GetDatabase().Execute("MEMORY", "USAGE", k, "SAMPLES", "0"))).ToList();
        var flooderBytes = flooderKeys.Sum(k => k.Bytes);
        var limitLines = process.Stderr.Split('\n').Concat(process.Lines).Count(l => l.Contains("hit its state limit", StringComparison.Ordinal));
        ChaosRun.Record(Invariant(
            $"one-host flood of {partials:N0} distinct partial sequences in {floodSeconds:0} s: {attacks.Delivered} other-host attacks, {outcome.Missing} lost, {outcome.Duplicates} ids twice; their event->alert latency p50 {Percentile(latencies, 0.5):0.00} s, p99 {Percentile(latencies, 0.99):0.00} s, max {latencies.LastOrDefault():0.00} s; flooder's state in Redis {flooderBytes:N0} bytes; state-limit log lines {limitLines}; its keys: {string.Join(", ", flooderKeys.OrderByDescending(k => k.Bytes).Take(5).Select(k => $"{k.Key} {k.Bytes:N0} B"))}"));
        Assert.Equal(0, outcome.Missing);
        Assert.Equal(0, outcome.Duplicates);
        Assert.True(latencies.Last() <= 10, Invariant($"other hosts' attacks alerted within 10 s (max {latencies.Last():0.00} s)"));
        Assert.InRange(flooderBytes, 1, 2L << 20);
        Assert.InRange(limitLines, 1, 3);
    }

    /// <summary>
    /// A correlator process configured as `make run` configures it for the embedded broker: static membership, and a
    /// 3 s session, since that broker waits out a restarted static member's old session (real brokers hand the
    /// partitions back at once and refuse sessions under 6 s). Each replica of the analytic has its own static member
    /// id (as each pod of the chart's deployment has its own name); a restarted process keeps its replica's.
    /// </summary>
    private static ServiceProcess StartCorrelator(CorrelatorHarness harness, int replica = 0, params string[] extra) =>
        ServiceProcess.Start(
            TestPaths.ServiceAssembly("Vigil.Correlator", "vigil-correlator"),
            [
                .. harness.Arguments(),
                $"--Kafka:Consumer:GroupInstanceId=correlator-{{host}}-{replica}",
                "--Kafka:Consumer:SessionTimeoutMs=3000",
                "--Logging:LogLevel:Vigil.Correlator=Information",
                .. extra,
            ]);

    /// <summary>The 1-minute load average, recorded with timing figures (they depend on what else the cores run).</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static int AlertLines(ServiceProcess process) => process.Lines.Count(IsAlert);

    private static bool IsAlert(string line) => line.Contains(" Alert ", StringComparison.Ordinal);

    /// <summary>Assignments of partitions to a replica so far (its consume loop's "assigned" lines naming any).</summary>
    private static int Assignments(ServiceProcess process) => process.Lines.Count(IsAssignment);

    private static bool IsAssignment(string line) =>
        !IsAlert(line) && line.Contains(" assigned ", StringComparison.Ordinal) && !line.Contains("assigned no partitions", StringComparison.Ordinal);

    /// <summary>When the passes through the outbox among <paramref name="lines"/> logged their alerts (each within a few milliseconds).</summary>
    private static List<DateTime> Passes(IEnumerable<string> lines, DateTime now)
    {
        var passes = new List<DateTime>();
        foreach (var at in lines.Where(IsAlert).Select(l => LoggedAt(l, now)).Order())
        {
            if (passes.Count == 0 || (at - passes[^1]).TotalMilliseconds > 20)
            {
                passes.Add(at);
            }
        }

        return passes;
    }

    /// <summary>
    /// When a correlator's next pass should log its alerts, from its last <paramref name="passes"/>: while attacks
    /// trickle in, its batches come at the pace of its fetches from each broker (about every 500 ms from the embedded
    /// broker, librdkafka's fetch wait), so the last pass's cycle repeats one period later.
    /// </summary>
    private static DateTime NextPass(List<DateTime> passes, DateTime now)
    {
        var cycles = passes.Zip(passes.Skip(1), (a, b) => (b - a).TotalMilliseconds).Where(g => g is > 400 and < 600).Order().ToList();
        var period = TimeSpan.FromMilliseconds(cycles.Count == 0 ? 500 : cycles[cycles.Count / 2]);
        var next = passes.Count == 0 ? now : passes[^1];
        while (next < now + TimeSpan.FromMilliseconds(30))
        {
            next += period;
        }

        return next;
    }

    /// <summary>Waits until <paramref name="at"/> (UTC) to within about a millisecond: a timer for most of it, then spinning.</summary>
    private static async Task UntilAsync(DateTime at)
    {
        if (at - DateTime.UtcNow > TimeSpan.FromMilliseconds(20))
        {
            await Task.Delay(at - DateTime.UtcNow - TimeSpan.FromMilliseconds(15), TestContext.Current.CancellationToken);
        }

        while (DateTime.UtcNow < at)
        {
            Thread.SpinWait(100);
        }
    }

    /// <summary>
    /// When a line of the simple log format ("HH:mm:ss.fff " UTC first) was logged, as the date-time nearest
    /// <paramref name="near"/> (so a run across midnight reads right).
    /// </summary>
    private static DateTime LoggedAt(string line, DateTime near)
    {
        if (line.Length < 12 || !TimeOnly.TryParseExact(line[..12], "HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return DateTime.MinValue;
        }

        var at = near.Date + time.ToTimeSpan();
        return (at - near).TotalHours > 12 ? at.AddDays(-1) : (near - at).TotalHours > 12 ? at.AddDays(1) : at;
    }

    /// <summary>
    /// For a failure: each lost or repeated id with its host and partition and every replica's line naming it, and the
    /// replicas' rebalance lines with the pauses, in time order.
    /// </summary>
    private static string Diagnose(Attacks attacks, ServiceProcess[] replicas, List<string> missing, List<string> repeated, List<string> signals)
    {
        var text = new System.Text.StringBuilder();
        foreach (var (what, ids) in new[] { ("lost", missing), ("published twice", repeated) })
        {
            foreach (var id in ids.Take(20))
            {
                text.Append(Invariant($"\n{what}: {id} ({attacks.Describe(id)})"));
                for (var r = 0; r < replicas.Length; r++)
                {
                    foreach (var line in replicas[r].Lines.Where(l => l.Contains(id, StringComparison.Ordinal)))
                    {
                        text.Append(Invariant($"\n  replica {r}: {line}"));
                    }
                }
            }
        }

        text.Append("\nrebalances and pauses:");
        var timeline = signals.Concat(replicas.SelectMany((p, r) => p.Lines
            .Where(l => !IsAlert(l) && (l.Contains(" assigned ", StringComparison.Ordinal) || l.Contains(" revoked ", StringComparison.Ordinal) || l.Contains(" lost ", StringComparison.Ordinal) || l.Contains("warn", StringComparison.OrdinalIgnoreCase) || l.Contains("fail", StringComparison.OrdinalIgnoreCase)))
            .Select(l => Invariant($"{l[..Math.Min(12, l.Length)]} replica {r}: {l[Math.Min(12, l.Length)..]}"))));
        foreach (var line in timeline.Order(StringComparer.Ordinal))
        {
            text.Append("\n  ").Append(line);
        }

        return text.ToString();
    }

    private static string Summary(List<double> seconds)
    {
        var sorted = seconds.Order().ToList();
        return Invariant($"min {sorted[0]:0.0} s, median {Percentile(sorted, 0.5):0.0} s, max {sorted[^1]:0.0} s");
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The correlator group's committed offsets on the telemetry topic, read from the broker (outside the correlator).</summary>
    private sealed class GroupCommits : IDisposable
    {
        private readonly IConsumer<byte[], byte[]> consumer;
        private readonly List<Confluent.Kafka.TopicPartition> partitions;

        public GroupCommits(CorrelatorHarness harness)
        {
            // The service's group is its declared name with the test's suffix (TestTopics); this client only reads the
            // group's commits and never joins it.
            var group = $"vigil.correlator.{harness.Topics.Telemetry[2..]}";
            consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = harness.Broker.BootstrapServers, GroupId = group, EnableAutoCommit = false }).Build();
            partitions = Enumerable.Range(0, 6).Select(p => new Confluent.Kafka.TopicPartition(harness.Topics.Telemetry, p)).ToList();
        }

        public long Total() => consumer.Committed(partitions, TimeSpan.FromSeconds(5)).Sum(o => Math.Max(0, o.Offset.Value));

        public void Dispose() => consumer.Dispose();
    }

    /// <summary>Injected attacks, each on a host of its own: their expected alert ids and when they reached the broker.</summary>
    private sealed class Attacks(CorrelatorHarness harness, string prefix, int? avoidPartition = null)
    {
        private readonly ProtobufRecordCodec<Alert> codec = new(schemaId: null);
        private readonly ConcurrentDictionary<string, DateTime> delivered = new();
        private readonly ConcurrentDictionary<int, string> ids = new();
        private readonly ConcurrentDictionary<string, string> hosts = new();
        private int next;
        private int undelivered;

        public int Count => Volatile.Read(ref next);

        public int Delivered => delivered.Count;

        public int Undelivered => Volatile.Read(ref undelivered);

        /// <summary>Sends one attack without waiting for the broker's acknowledgement of the ones before it.</summary>
        public Task InjectAsync()
        {
            var h = Interlocked.Increment(ref next) - 1;
            var host = $"{prefix}-{h:D5}";
            for (var salt = 0; avoidPartition is { } avoid && Murmur2Partitioner.Partition(host, 6) == avoid; salt++)
            {
                host = $"{prefix}-{h:D5}-{salt}";
            }

            var time = InstallerEvents.T0 + (h * 1_000_000L);
            var shell = $"s-{prefix}-{h}";
            var curl = $"c-{prefix}-{h}";
            var id = AlertFactory.AlertId(RuleId, [shell, curl]);
            ids[h] = id;
            hosts[id] = host;
            return Task.Run(async () =>
            {
                try
                {
                    await harness.PublishAsync(
                        InstallerEvents.ShellFromInstaller(host, time, shell),
                        InstallerEvents.CurlConnection(host, time + InstallerEvents.Seconds(1), curl));
                    delivered[id] = DateTime.UtcNow;
                }
                catch (Exception)
                {
                    // Never reached the broker (the producer gave up): not an attack Vigil could see.
                    Interlocked.Increment(ref undelivered);
                }
            });
        }

        public async Task InjectUntilAsync(TimeSpan every, CancellationToken stop)
        {
            var pending = new List<Task>();
            while (!stop.IsCancellationRequested)
            {
                pending.Add(InjectAsync());
                await Task.Delay(every, CancellationToken.None);
            }

            await Task.WhenAll(pending);
        }

        /// <summary>Ids of the attacks numbered [from, to) that reached the broker.</summary>
        public HashSet<string> IdsBetween(int from, int to)
        {
            var wanted = Enumerable.Range(from, to - from).Select(h => ids[h]).ToHashSet();
            var deadline = DateTime.UtcNow.AddSeconds(150);
            while (wanted.Any(id => !delivered.ContainsKey(id)) && Undelivered + delivered.Count < to && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }

            wanted.IntersectWith(delivered.Keys);
            return wanted;
        }

        /// <summary>The host of an attack's alert id, and the telemetry partition its events went to.</summary>
        public string Describe(string id) =>
            hosts.TryGetValue(id, out var host) ? $"host {host}, partition {Murmur2Partitioner.Partition(host, 6)}" : "not an injected attack";

        public HashSet<string> AlertIds() => Alerts(0, TimeSpan.FromSeconds(1)).Select(a => a.Alert.Id).ToHashSet();

        /// <summary>
        /// Waits for every delivered attack's alert and for the group to commit everything (a replay still to come
        /// could publish a repeat), then counts what is missing and repeated, and each alert's latency from delivery.
        /// </summary>
        public async Task<(int Missing, int Duplicates, List<double> Latencies, List<string> MissingIds, List<string> DuplicateIds)> SettleAsync(TimeSpan? patience = null)
        {
            var expected = delivered.Keys.ToHashSet();
            try
            {
                await Eventually.TrueAsync(() => expected.IsSubsetOf(AlertIds()), patience ?? Patience, "every delivered attack alerts");
            }
            catch (Exception)
            {
                // Counted below as missing.
            }

            await harness.Topics.WaitUntilCommittedAsync(harness.Topics.Manifest.ConsumerGroup("correlator", CorrelatorHarness.Analytic).Name, TimeSpan.FromSeconds(90));
            var alerts = Alerts(expected.Count, TimeSpan.FromSeconds(5)).Where(a => a.Alert.Rule.Id == RuleId).ToList();
            var seen = alerts.Select(a => a.Alert.Id).ToList();
            var latencies = alerts
                .GroupBy(a => a.Alert.Id)
                .Where(g => delivered.ContainsKey(g.Key))
                .Select(g => (g.Min(a => a.At) - delivered[g.Key]).TotalSeconds)
                .ToList();
            var missing = expected.Where(id => !seen.Contains(id)).Order(StringComparer.Ordinal).ToList();
            var repeated = seen.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key).Order(StringComparer.Ordinal).ToList();
            return (missing.Count, seen.Count - seen.Distinct().Count(), latencies, missing, repeated);
        }

        private List<(Alert Alert, DateTime At)> Alerts(int expected, TimeSpan timeout) =>
            harness.Topics.ReadAll(harness.Topics.Alerts, expected, timeout)
                .Select(r => (codec.Decode(r.Message.Value), r.Message.Timestamp.UtcDateTime))
                .Where(a => a.Item1.Rule.Id == RuleId)
                .Select(a => (a.Item1, a.UtcDateTime))
                .ToList();
    }
}
