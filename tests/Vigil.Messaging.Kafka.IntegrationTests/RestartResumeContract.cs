using System.Collections.Concurrent;
using System.Diagnostics;
using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// Resume in seconds after a crash: a real `vigil telemetry tail` process is SIGKILLed and restarted at
/// once, ten times in a row, while records keep arriving. With static membership the restarted instance
/// rejoins under its old group.instance.id and a real broker hands its partitions back at once; the embedded
/// broker does not implement static replacement, so there the session timeout bounds the wait, as it bounds a dead
/// instance's partitions everywhere: 3 s on the embedded broker (as `make run` sets it), the services' 6 s default
/// (real brokers' floor) on a real one. Every record is still handled at least once. Measured alternatives
/// (docs/reliability.md): the KIP-848 protocol, whose session timeout is a broker setting, the classic protocol
/// with 6 s and with the former 45 s session timeout.
/// </summary>
public abstract class RestartResumeContract(KafkaBrokerKind kind) : BrokerContract(kind)
{
    /// <summary>
    /// Kill to consumption again, including starting a .NET process: the issue's 10 s in the full form. The short
    /// form runs in CI on shared 2-core runners, where the process start-up, not the broker, decides; it gets 20 s.
    /// </summary>
    private static readonly TimeSpan ResumeBound = TimeSpan.FromSeconds(ChaosRun.Full ? 10 : 20);

    [Fact]
    public async Task AKilledConsumerRestartedAtOnceConsumesAgainWithinTheResumeBoundTenTimesInARowAndLosesNothing()
    {
        const string protocol = "classic";
        var broker = Broker;
        await using var pipeline = new KafkaTestPipeline(broker, $"resume-{protocol}");
        await pipeline.CreateTopicsAsync();
        var workDir = Directory.CreateTempSubdirectory("vigil-resume-");
        var manifest = pipeline.WriteManifest(workDir.FullName);
        string[] arguments =
        [
            "telemetry", "tail", "--format", "ids", "--bootstrap", broker.BootstrapServers,
            $"--Kafka:TopicManifest={manifest}",
            "--Kafka:Consumer:CommitIntervalMs=500",
            $"--Kafka:Consumer:GroupProtocol={protocol}",
            "--Kafka:Consumer:GroupInstanceId=tail-{host}-0",
            .. broker is EmbeddedKafkaBroker ? ["--Kafka:Consumer:SessionTimeoutMs=3000"] : Array.Empty<string>(),
        ];
        Assert.SkipUnless(ChaosRun.Enabled, ChaosRun.SkipReason);
        var vigil = TestPaths.ServiceAssembly("Vigil.Cli", "vigil");
        var published = new ConcurrentBag<string>();
        var seen = new ConcurrentDictionary<string, byte>();
        using var stopPublishing = new CancellationTokenSource();
        var publishing = Task.Run(async () =>
        {
            for (var round = 0; !stopPublishing.IsCancellationRequested; round++)
            {
                foreach (var id in await pipeline.PublishAsync(hosts: 12, perHost: 1, firstSequence: round))
                {
                    published.Add(id);
                }

                await Task.Delay(100, CancellationToken.None);
            }
        }, CancellationToken.None);

        var resumes = new List<TimeSpan>();
        var run = ServiceProcess.Start(vigil, arguments);
        try
        {
            await Eventually.TrueAsync(() => !run.Lines.IsEmpty, TimeSpan.FromSeconds(60), $"the first run prints records (stderr: {run.Stderr})");
            for (var kill = 0; kill < 10; kill++)
            {
                await Task.Delay(1500, TestContext.Current.CancellationToken);
                await run.KillAsync();
                var killedAt = Stopwatch.GetTimestamp();
                Collect(run, seen);
                await run.DisposeAsync();
                run = ServiceProcess.Start(vigil, arguments);
                // Resumed: the new process prints records again (those since the last commit, then new ones).
                await Eventually.TrueAsync(() => !run.Lines.IsEmpty, TimeSpan.FromSeconds(90), $"restart {kill + 1} prints records (stderr: {run.Stderr})");
                resumes.Add(Stopwatch.GetElapsedTime(killedAt));
            }

            await stopPublishing.CancelAsync();
            await publishing;
            var all = published.ToHashSet();
            await Eventually.TrueAsync(() => all.IsSubsetOf(seen.Keys.Concat(run.Lines)), TimeSpan.FromSeconds(60), "every record is handled by one of the runs");
        }
        finally
        {
            await stopPublishing.CancelAsync();
            await run.DisposeAsync();
            workDir.Delete(recursive: true);
        }

        var figures = string.Join(", ", resumes.Select(r => $"{r.TotalSeconds:0.0}s"));
        TestContext.Current.SendDiagnosticMessage($"group.protocol={protocol}, static membership: kill -9 to first record after restart: {figures}");
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
        ChaosRun.Record($"kill -9 and immediate restart of a consumer, ten times (group.protocol={protocol}, static membership, {arguments.LastOrDefault(a => a.Contains("SessionTimeoutMs", StringComparison.Ordinal)) ?? "session 6 s"}): resumed after {figures}; load average {load}");
        Assert.All(resumes, r => Assert.True(r <= ResumeBound, $"resumed after {r.TotalSeconds:0.0} s (all: {figures})"));
    }

    private static void Collect(ServiceProcess run, ConcurrentDictionary<string, byte> seen)
    {
        foreach (var line in run.Lines)
        {
            seen.TryAdd(line, 0);
        }
    }
}
