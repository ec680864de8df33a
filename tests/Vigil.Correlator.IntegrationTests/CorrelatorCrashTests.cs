using Vigil.Detection;
using Vigil.Testing;

namespace Vigil.Correlator.IntegrationTests;

/// <summary>
/// A real vigil-correlator process is SIGKILLed while alerts flow and started again: no alert may be
/// lost and no alert id may appear twice on the alert topic.
/// </summary>
public sealed class CorrelatorCrashTests : RealStackTests
{
    private const string RuleId = "99239e7d-b0d4-46e3-8609-acafcf99f68c";
    private const int Hosts = 200;
    private const int HostsPerRound = 10;
    [Fact]
    public async Task KillingACorrelatorMidRunAndRestartingItLosesNoAlertAndRepeatsNoAlertId()
    {
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, "crash");
        var correlator = TestPaths.ServiceAssembly("Vigil.Correlator", "vigil-correlator");
        string[] arguments = [.. harness.Arguments(), "--Logging:LogLevel:Vigil.Correlator=Information"];
        var expected = Enumerable.Range(0, Hosts).Select(h => AlertFactory.AlertId(RuleId, [$"s-{h}", $"c-{h}"])).ToHashSet();

        var first = ServiceProcess.Start(correlator, arguments);
        var publishing = Task.Run(async () =>
        {
            for (var round = 0; round < Hosts / HostsPerRound; round++)
            {
                var events = Enumerable.Range(round * HostsPerRound, HostsPerRound).SelectMany(h => new[]
                {
                    InstallerEvents.ShellFromInstaller($"mac-{h:D3}", InstallerEvents.T0 + (h * 1_000_000L), $"s-{h}"),
                    InstallerEvents.CurlConnection($"mac-{h:D3}", InstallerEvents.T0 + (h * 1_000_000L) + InstallerEvents.Seconds(1), $"c-{h}"),
                }).ToArray();
                await harness.PublishAsync(events);
                await Task.Delay(150, TestContext.Current.CancellationToken);
            }
        }, TestContext.Current.CancellationToken);

        try
        {
            await Eventually.TrueAsync(() => first.Lines.Count(l => l.Contains(" Alert ", StringComparison.Ordinal)) >= Hosts / 5, TimeSpan.FromSeconds(90), $"the first correlator publishes alerts (stderr: {first.Stderr})");
        }
        finally
        {
            await first.KillAsync();
            await first.DisposeAsync();
        }

        await publishing;
        await using var second = ServiceProcess.Start(correlator, arguments);
        await Eventually.TrueAsync(
            () => harness.Alerts(Hosts, TimeSpan.FromSeconds(2)).Select(a => a.Id).ToHashSet().SetEquals(expected),
            TimeSpan.FromSeconds(120),
            $"every expected alert is published (second run stderr: {second.Stderr})");
        // Let the second run handle and commit every record before counting repeats: a replay it had yet to
        // handle could still publish one.
        await harness.Topics.WaitUntilCommittedAsync(harness.Topics.Manifest.ConsumerGroup("correlator", CorrelatorHarness.Analytic).Name, TimeSpan.FromSeconds(60));

        var ids = harness.Alerts(Hosts + 50, TimeSpan.FromSeconds(5)).Select(a => a.Id).ToList();
        Assert.Equal(expected.Order(), ids.Distinct().Order());
        Assert.Equal(ids.Count, ids.Distinct().Count());
        await second.TerminateAsync(TimeSpan.FromSeconds(30));
    }
}
