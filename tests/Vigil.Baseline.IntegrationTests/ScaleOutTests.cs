using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Vigil.Baseline.Storage;
using Vigil.Baseline.UnitTests;
using Vigil.Contracts.Baseline;
using Vigil.Redis;
using Vigil.Testing;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>Profiles merge exactly across consumers, survive restarts, and count nothing twice when a crash replays records.</summary>
public sealed class ScaleOutTests(RedisServer redis)
{
    // Profiles never mature here, so every event trains them and the end state cannot depend on timing.
    private static readonly Dictionary<string, string> LearningOnly = new() { ["Baseline:MinObservations"] = "1000000" };

    [Fact]
    public async Task TwoInstancesOnDifferentPartitionsLearnExactlyWhatOneInstanceLearns()
    {
        await using var stack = new BaselineStack(redis, LearningOnly);
        var single = await stack.StartBaselineAsync(keyPrefix: stack.KeyPrefix + "s", group: $"single.{stack.KeyPrefix}");
        var first = await stack.StartBaselineAsync(keyPrefix: stack.KeyPrefix + "d", group: $"double.{stack.KeyPrefix}");
        var second = await stack.StartBaselineAsync(keyPrefix: stack.KeyPrefix + "d", group: $"double.{stack.KeyPrefix}");
        await Eventually.TrueAsync(
            () => Assigned(first, stack.TelemetryTopic) && Assigned(second, stack.TelemetryTopic),
            TimeSpan.FromSeconds(60),
            "both instances of the shared group own partitions");

        var dataset = new FleetDataset(hosts: 16, connectionsPerHost: 30);
        await stack.PublishAsync(dataset.Events);

        foreach (var instance in new[] { single, first })
        {
            await BaselineStack.ProfileEventuallyAsync(instance, FleetDataset.Agent, p => p.Observations == dataset.AgentObservations, "the agent's traffic was learned");
            await BaselineStack.ProfileEventuallyAsync(instance, FleetDataset.Curl, p => p.Observations == dataset.CurlObservations, "curl's traffic was learned");
        }

        foreach (var image in new[] { FleetDataset.Agent, FleetDataset.Curl })
        {
            var alone = await single.ProfileAsync(image);
            var shared = await second.ProfileAsync(image);
            Assert.Equal(alone.Observations, shared.Observations);
            Assert.Equal(alone.Connections, shared.Connections);
            Assert.Equal(alone.FirstSeen, shared.FirstSeen);
            Assert.Equal(alone.LastSeen, shared.LastSeen);
            Assert.Equal(alone.DistinctHosts, shared.DistinctHosts);
            Assert.Equal(alone.DistinctDestinations, shared.DistinctDestinations);
            Assert.Equal(alone.Protocols.Select(p => (p.Signature, p.Count, p.FirstSeen)), shared.Protocols.Select(p => (p.Signature, p.Count, p.FirstSeen)));
            foreach (var (a, b) in new[]
            {
                (alone.SentPerConnection, shared.SentPerConnection), (alone.ReceivedPerConnection, shared.ReceivedPerConnection),
                (alone.SentPerBucket, shared.SentPerBucket), (alone.ReceivedPerBucket, shared.ReceivedPerBucket),
            })
            {
                Assert.Equal(a.Samples, b.Samples);
                Assert.Equal(a.MeanLog, b.MeanLog, 9);
                Assert.Equal(a.StddevLog, b.StddevLog, 9);
            }
        }

        Assert.Equal(16, (await single.ProfileAsync(FleetDataset.Agent)).DistinctHosts);
    }

    [Fact]
    public async Task ARestartedInstanceKeepsItsProfilesAndContinuesFromThem()
    {
        await using var stack = new BaselineStack(redis, LearningOnly);
        var before = await stack.StartBaselineAsync();
        var dataset = new FleetDataset(hosts: 4, connectionsPerHost: 20);
        await stack.PublishAsync(dataset.Events);
        var learned = await BaselineStack.ProfileEventuallyAsync(before, FleetDataset.Agent, p => p.Observations == dataset.AgentObservations, "the first run learned the agent");
        await before.StopAsync();

        var after = await stack.StartBaselineAsync();
        var kept = await after.ProfileAsync(FleetDataset.Agent);
        Assert.Equal(learned, kept);

        var more = new FleetDataset(hosts: 4, connectionsPerHost: 20, from: BaselineTelemetry.Start + (30 * BaselineTelemetry.Minute));
        await stack.PublishAsync(more.Events);
        var continued = await BaselineStack.ProfileEventuallyAsync(after, FleetDataset.Agent, p => p.Observations >= dataset.AgentObservations + more.AgentObservations, "the second run added to the profile");
        await stack.DrainAsync(after, "mac-000", "mac-001", "mac-002", "mac-003");
        Assert.Equal(dataset.AgentObservations + more.AgentObservations, (await after.ProfileAsync(FleetDataset.Agent)).Observations);
        Assert.Equal(learned.FirstSeen, continued.FirstSeen);
    }

    [Fact]
    public async Task AProcessKilledBeforeCommittingReplaysItsRecordsWithoutCountingThemTwice()
    {
        await using var stack = new BaselineStack(redis, LearningOnly);
        var arguments = stack.Arguments().Concat(
        [
            "--urls=http://127.0.0.1:0",
            "--grpc-url=http://127.0.0.1:0",
            // Nothing is committed before the kill, so the restart replays every record the first process handled.
            "--Kafka:Consumer:CommitIntervalMs=600000",
            "--Kafka:Consumer:MaxBatchSize=50",
        ]).ToList();
        var dataset = new FleetDataset(hosts: 8, connectionsPerHost: 40);
        await stack.PublishAsync(dataset.Events);
        using var connection = await ConnectionMultiplexer.ConnectAsync(stack.RedisEndpoint);
        var directory = new ProfileDirectory(connection, new BaselineKeys(new RedisKeys(stack.KeyPrefix)), new BaselineOptions());
        async Task<long> ObservationsAsync() => (await directory.FindAsync(FleetDataset.Agent))?.Profile.Observations ?? 0;
        async Task<long> CurlObservationsAsync() => (await directory.FindAsync(FleetDataset.Curl))?.Profile.Observations ?? 0;

        await using (var crashing = ServiceProcess.Start(TestPaths.ServiceAssembly("Vigil.Baseline", "vigil-baseline"), arguments))
        {
            await Eventually.TrueAsync(() => ObservationsAsync().GetAwaiter().GetResult() > 0 || crashing.HasExited, TimeSpan.FromSeconds(60), "the first process learned something");
            Assert.False(crashing.HasExited, crashing.Stderr);
            await crashing.KillAsync();
        }

        var learnedBeforeCrash = await ObservationsAsync();
        await using var restarted = ServiceProcess.Start(TestPaths.ServiceAssembly("Vigil.Baseline", "vigil-baseline"), arguments);
        // The first process may have handled every record before the kill, so the count alone can be complete at once;
        // the restarted process must also own its partitions (its host is up, replaying, and shuts down in order on SIGTERM).
        await Eventually.TrueAsync(
            () => (ObservationsAsync().GetAwaiter().GetResult() >= dataset.AgentObservations
                    && CurlObservationsAsync().GetAwaiter().GetResult() >= dataset.CurlObservations
                    && restarted.Lines.Any(l => l.Contains(" assigned ", StringComparison.Ordinal)))
                || restarted.HasExited,
            TimeSpan.FromSeconds(60),
            "the restarted process owns its partitions and learned the rest");
        Assert.False(restarted.HasExited, restarted.Stderr);

        // Stop the restarted process (it finishes and commits its batch first), then nothing may have been counted twice.
        await restarted.TerminateAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, restarted.ExitCode);
        Assert.True(learnedBeforeCrash > 0);
        Assert.Equal(dataset.AgentObservations, await ObservationsAsync());
        Assert.Equal(dataset.CurlObservations, (await directory.FindAsync(FleetDataset.Curl))!.Value.Profile.Observations);
    }

    [Fact]
    public async Task ABatchHandledAgainAfterACrashChangesNothingAndAnOverlappingOneAddsOnlyItsNewRecords()
    {
        await using var stack = new BaselineStack(redis, LearningOnly);
        var baseline = await stack.StartBaselineAsync();
        var handler = baseline.Services.GetRequiredService<BaselineHandler>();
        var events = new FleetDataset(hosts: 1, connectionsPerHost: 20).Events;
        var records = Batches.Records("replayed-topic", events);

        // The exec and the agent's first ten lookups, connections and ends; then again; then from the middle of it on.
        await handler.HandleAsync(records[..31], TestContext.Current.CancellationToken);
        var once = await baseline.ProfileAsync(FleetDataset.Agent);
        await handler.HandleAsync(records[..31], TestContext.Current.CancellationToken);
        var twice = await baseline.ProfileAsync(FleetDataset.Agent);
        await handler.HandleAsync(records[20..], TestContext.Current.CancellationToken);
        var all = await baseline.ProfileAsync(FleetDataset.Agent);

        Assert.Equal(20, once.Observations);
        Assert.Equal(once, twice);
        Assert.Equal(40, all.Observations);
        Assert.Equal(20, all.Connections);
    }

    private static bool Assigned(BaselineInstance instance, string topic) =>
        instance.Log.Any(l => l.Contains(" assigned ", StringComparison.Ordinal) && l.Contains(topic + "[", StringComparison.Ordinal));
}
