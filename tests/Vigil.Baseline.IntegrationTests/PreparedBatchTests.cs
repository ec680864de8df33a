using Vigil.Contracts.Alerts;
using Vigil.Baseline.UnitTests;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;
using Vigil.Testing;
using static Vigil.Baseline.UnitTests.BaselineTelemetry;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>
/// The consume loop hands the baseline records it sorted on its own thread (<see cref="BaselineHandler.Prepare"/>); the
/// handler learns and alerts from them exactly as from the same records unsorted, whatever their mix of kinds.
/// </summary>
public sealed class PreparedBatchTests(RedisServer redis)
{
    // Beyond the stack's telemetry partitions: the services' own consume loops never assign or revoke it meanwhile.
    private const string Topic = "prepared-batches";
    private const int Partition = 62;

    private readonly BaselineTelemetry mac = new("mac-prepared");
    private readonly Process agent = SyncAgent("agent-prepared");

    [Fact]
    public async Task ABatchSortedOnTheConsumeThreadLearnsAndAlertsExactlyAsTheSameBatchUnsorted()
    {
        // A stack each: their own alert topics and Redis keys.
        await using var unsortedStack = new BaselineStack(redis);
        await using var sortedStack = new BaselineStack(redis);
        var unsorted = await unsortedStack.StartBaselineAsync();
        var sorted = await sortedStack.StartBaselineAsync();
        var training = Events();

        // A trained profile (the stack's settings: 20 observations over 5 minutes), then a protocol it never used, from
        // a copy of the agent a shell started: an alert whose process chain reaches the shell's parent only through the
        // shell's own start, which the chain cache saw.
        var terminal = Apple("terminal-prepared", "Terminal", "/System/Applications/Utilities/Terminal.app/Contents/MacOS/Terminal");
        var shell = Apple("shell-prepared", "zsh", "/bin/zsh", parent: terminal);
        var driven = SyncAgent("agent-prepared-driven");
        driven.Parent = new Process { EntityId = shell.EntityId, Pid = shell.Pid, Name = shell.Name, Executable = shell.Executable };
        var attack = new[]
        {
            mac.Exec(shell, Start + (11 * Minute)),
            mac.Exec(driven, Start + (11 * Minute) + Second),
            mac.Connect(driven, Start + (11 * Minute) + (2 * Second), protocol: "ssh", port: 22, destination: "drop.example.net"),
        };
        var records = HandedRecords.Records(Topic, Partition, training.Concat(attack), 0);
        var notes = records.Select(r => r with { Preparation = sorted.Handler.Prepare(r.Value) }).ToList();
        Assert.All(notes, r => Assert.NotEqual(0UL, r.Preparation));

        foreach (var (handler, batch) in new[] { (unsorted.Handler, records), (sorted.Handler, notes) })
        {
            // The profile matures with the commit of the batch that trained it: the attack comes in a batch of its own.
            await handler.HandleAsync(batch[..40], TestContext.Current.CancellationToken);
            await handler.HandleAsync(batch[40..^3], TestContext.Current.CancellationToken);
            await handler.HandleAsync(batch[^3..], TestContext.Current.CancellationToken);
        }

        var expected = await unsorted.GetProfileAsync("com.example.sync", mac.HostId);
        var actual = await sorted.GetProfileAsync("com.example.sync", mac.HostId);
        Assert.True(expected.Profile.Observations > 20, $"the profile learned {expected.Profile.Observations} observations");
        Assert.Equal(expected.Profile, actual.Profile);
        Assert.Equal(expected.HostView, actual.HostView);

        // The alert, with the chain the process start left in the cache, published once by each.
        var expectedAlert = await OnlyAlertAsync(unsortedStack);
        var actualAlert = await OnlyAlertAsync(sortedStack);
        Assert.Contains(expectedAlert.Observations, o => o.Name == "process chain" && o.Observed.Contains("Terminal", StringComparison.Ordinal));
        Assert.Equal(expectedAlert, actualAlert);
    }

    private List<TelemetryEvent> Events()
    {
        var events = new List<TelemetryEvent> { mac.Exec(agent, Start) };
        for (var i = 0; i < 30; i++)
        {
            var at = Start + (i * 20 * Second);
            events.Add(mac.Connect(agent, at + Second));
            events.Add(mac.Lookup(agent, at + (2 * Second)));
            events.Add(mac.Disconnect(agent, at + (3 * Second), 2_000 + i, 40_000 + i));
            events.Add(mac.FileOpen(agent, at + (4 * Second), "/Users/a/Library/Sync/state.db"));
        }

        return events;
    }

    private static async Task<Alert> OnlyAlertAsync(BaselineStack stack)
    {
        await Eventually.TrueAsync(() => stack.Alerts.Alerts.Count > 0, TimeSpan.FromSeconds(30), "the alert was published");
        var alert = Assert.Single(stack.Alerts.Alerts).Clone();

        // When it was detected is the wall clock's.
        alert.DetectionTime = 0;
        return alert;
    }
}
