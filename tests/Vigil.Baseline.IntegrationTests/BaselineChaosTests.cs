using System.Diagnostics;
using System.Globalization;
using Vigil.Baseline.UnitTests;
using Vigil.Contracts.Baseline;
using Vigil.Testing;
using static System.FormattableString;
using static Vigil.Baseline.UnitTests.BaselineTelemetry;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>
/// The baseline under a Redis that is killed and comes back empty (no persistence), with real processes: the
/// redis-server and `vigil baseline list`. Part of the fault suite (`make chaos`).
/// </summary>
public sealed class BaselineChaosTests
{
    /// <summary>With the shipped check interval (5 s) and the check on reconnection, a loss is reported well within this.</summary>
    private static readonly TimeSpan ReportBound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ABaselineWhoseRedisRestartsEmptyReportsTheLostMemoryWithinSecondsWithoutTrafficAndLearnsLaterAttacksOnlyAsImmature()
    {
        Assert.SkipUnless(ChaosRun.Enabled, ChaosRun.SkipReason);
        await using var redis = await RedisServer.StartAsync();
        await using var stack = new BaselineStack(redis);
        var macs = Enumerable.Range(0, 3).Select(i => new BaselineTelemetry($"mac-chaos-{i}")).ToArray();
        var agent = SyncAgent("agent-1");
        var baseline = await stack.StartBaselineAsync();
        await stack.PublishAsync(macs.SelectMany((mac, i) => NormalTraffic.Connections(mac, agent, 15, Start, 30 * Second, new Random(i))));
        await stack.DrainAsync(baseline, [.. macs.Select(m => m.HostId)]);
        Assert.Equal("mature", (await baseline.ProfileAsync("com.example.sync")).Maturity);
        var lostBefore = await MemoryLostCountAsync(baseline);

        // kill -9, down for a while, back on its port with nothing: no telemetry arrives meanwhile or after.
        var outage = TimeSpan.FromSeconds(ChaosRun.Full ? 30 : 5);
        await redis.StopAsync();
        await Task.Delay(outage, TestContext.Current.CancellationToken);
        await redis.RestartAsync();
        var back = Stopwatch.StartNew();
        await Eventually.TrueAsync(
            () => baseline.Log.Any(l => l.Contains("LOST ITS MEMORY", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60),
            "the baseline reported its lost memory");
        var reported = back.Elapsed;

        // `vigil baseline list` says so, and the counter moved.
        var (code, list) = await ListAsync(baseline);
        Assert.Equal(0, code);
        Assert.StartsWith("MEMORY LOST at ", list[0], StringComparison.Ordinal);
        Assert.True(await MemoryLostCountAsync(baseline) >= lostBefore + 1, "vigil_baseline_memory_lost_total counted the loss");

        // Attacks after the loss: the formerly mature image talks ftp to an unknown address on every host. Nothing is
        // judged against profiles that no longer exist, and what is learned from them is held by an immature profile,
        // not taken for the mature normal the image had.
        await stack.PublishAsync(macs.Select((mac, i) => mac.Connect(agent, Start + (20 * Minute) + (i * Second), "ftp", 21, "198.51.100.7")));
        // (The drain markers' profiles went with the memory, so wait on the image itself.)
        var relearning = await BaselineStack.ProfileEventuallyAsync(baseline, "com.example.sync", p => p.Observations >= 3, "the baseline handled the attacks after the loss");
        await stack.Alerts.CaughtUpAsync(BaselineStack.AlertPartitions);
        Assert.Equal("learning", relearning.Maturity);
        Assert.Equal(3, relearning.Observations);
        Assert.Empty(stack.Alerts.Alerts);
        var memory = (await baseline.Client.ListProfilesAsync(new ListProfilesRequest { Filter = ProfileFilter.All }, cancellationToken: TestContext.Current.CancellationToken)).Memory;
        Assert.Equal("memory-lost", memory.Reason);

        ChaosRun.Record(Invariant($"baseline, Redis killed for {outage.TotalSeconds:0} s and restarted empty, no traffic: lost memory reported {reported.TotalSeconds:0.0} s after Redis returned (bound {ReportBound.TotalSeconds:0} s); 3 attacks after it: 0 alerts, image back to learning"));
        Assert.True(reported <= ReportBound, $"the lost memory was reported {reported.TotalSeconds:0.0} s after Redis returned (bound {ReportBound.TotalSeconds} s)");
    }

    private static async Task<double> MemoryLostCountAsync(BaselineInstance baseline)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(new Uri(baseline.HttpAddress), "/metrics"), TestContext.Current.CancellationToken);
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("vigil_baseline_memory_lost_total ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }

    private static async Task<(int ExitCode, List<string> Lines)> ListAsync(BaselineInstance baseline)
    {
        string[] arguments = ["baseline", "list", "--server", baseline.GrpcAddress];
        await using var vigil = ServiceProcess.Start(TestPaths.ServiceAssembly("Vigil.Cli", "vigil"), arguments);
        await Eventually.TrueAsync(() => vigil.HasExited, TimeSpan.FromSeconds(60), "vigil baseline list exited");
        await Task.Delay(100, TestContext.Current.CancellationToken);
        return (vigil.ExitCode, [.. vigil.Lines]);
    }
}
