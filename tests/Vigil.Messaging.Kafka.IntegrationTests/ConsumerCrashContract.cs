using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// At-least-once across a crash: a real `vigil telemetry tail` process is SIGKILLed while consuming
/// and started again as the same group. Every published record must have been handled (printed and
/// flushed) by one of the two runs; replays are allowed, gaps are not.
/// </summary>
public abstract class ConsumerCrashContract(KafkaBrokerKind kind) : BrokerContract(kind)
{
    private const int Hosts = 100;
    private const int MinimumRounds = 30;
    private const int AfterKillRounds = 2;
    private const int PerRound = 5;
    [Fact]
    public async Task EveryRecordIsHandledAtLeastOnceWhenAConsumerIsKilledMidStreamAndRestarted()
    {
        var broker = Broker;
        await using var pipeline = new KafkaTestPipeline(broker, "crash");
        await pipeline.CreateTopicsAsync();
        var workDir = Directory.CreateTempSubdirectory("vigil-crash-");
        var manifest = pipeline.WriteManifest(workDir.FullName);
        string[] arguments =
        [
            "telemetry", "tail", "--format", "ids", "--bootstrap", broker.BootstrapServers,
            $"--Kafka:TopicManifest={manifest}",
            // Small batches and a short commit interval: the kill lands between commits, mid-stream.
            "--Kafka:Consumer:MaxBatchSize=100", "--Kafka:Consumer:CommitIntervalMs=300",
            // The killed member never leaves the group; its partitions move once its session expires.
            "--Kafka:Consumer:SessionTimeoutMs=6000",
        ];
        var vigil = TestPaths.ServiceAssembly("Vigil.Cli", "vigil");

        // Records keep arriving until after the kill, so it lands mid-stream however fast the first run drains:
        // at least MinimumRounds, then rounds until the kill, then AfterKillRounds more while no one consumes.
        var published = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var killed = new CancellationTokenSource();
        var firstRun = ServiceProcess.Start(vigil, arguments);
        var publishing = Task.Run(async () =>
        {
            var round = 0;
            var afterKill = 0;
            while (round < MinimumRounds || afterKill < AfterKillRounds)
            {
                foreach (var id in await pipeline.PublishAsync(Hosts, PerRound, firstSequence: round * PerRound))
                {
                    published.Add(id);
                }

                round++;
                afterKill += killed.IsCancellationRequested ? 1 : 0;
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }, TestContext.Current.CancellationToken);
        string[] beforeKill;
        long committedBeforeKill;
        try
        {
            await Eventually.TrueAsync(() => firstRun.Lines.Count >= Hosts * PerRound * MinimumRounds / 3, TimeSpan.FromSeconds(90), $"the first run prints a third of the records (stderr: {firstRun.Stderr})");
            // The kill must land after at least one commit, or the restart has nothing to resume from: a first
            // run assigned late can drain a third of the backlog before its first commit interval elapses.
            committedBeforeKill = 0;
            await Eventually.TrueAsync(
                () => (committedBeforeKill = pipeline.CommittedOffsets().Values.Sum(offset => Math.Max(0, offset))) > 0,
                TimeSpan.FromSeconds(30),
                $"the first run commits offsets (stderr: {firstRun.Stderr})");
        }
        finally
        {
            await firstRun.KillAsync();
            await killed.CancelAsync();
            beforeKill = [.. firstRun.Lines];
            await firstRun.DisposeAsync();
        }

        await publishing;
        var all = published.ToHashSet();
        Assert.Equal(published.Count, all.Count);
        Assert.True(beforeKill.Length < all.Count, "the kill must land before the first run handled everything");
        await using var secondRun = ServiceProcess.Start(vigil, arguments);
        await Eventually.TrueAsync(
            () => all.IsSubsetOf(beforeKill.Concat(secondRun.Lines)),
            TimeSpan.FromSeconds(90),
            $"every record is handled by one of the runs (second run stderr: {secondRun.Stderr})");

        var afterRestart = secondRun.Lines.ToArray();
        Assert.All(beforeKill.Concat(afterRestart), id => Assert.Contains(id, all));
        // The restart resumed from the last commit, not from the beginning: whatever was committed before the kill
        // (a fresh topic, so offsets count records) is not read again.
        var reread = afterRestart.Distinct().Count();
        Assert.True(
            reread <= all.Count - committedBeforeKill,
            $"second run re-read {reread} of {all.Count} records although {committedBeforeKill} were committed before the kill: it should resume from the committed offsets");
        await secondRun.TerminateAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, secondRun.ExitCode);
        workDir.Delete(recursive: true);
    }
}
