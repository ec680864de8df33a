using Vigil.Detection;
using Vigil.Testing;

namespace Vigil.Correlator.IntegrationTests;

/// <summary>
/// A sequence without until or missing-event steps is published as soon as its events have arrived, not once its
/// lateness has passed: with a ten-minute lateness, the alert still comes within seconds.
/// </summary>
public sealed class EarlyReportTests : RealStackTests
{
    [Fact]
    public async Task ASequenceIsPublishedWithoutWaitingForItsLatenessToPass()
    {
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, "early");
        var rules = harness.WorkDir.CreateSubdirectory("early_pack");
        foreach (var file in Directory.GetFiles(CorrelatorHarness.RulesFolder, "*.toml"))
        {
            var text = await System.IO.File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);
            Assert.Contains("lateness = \"2s\"", text, StringComparison.Ordinal);
            await System.IO.File.WriteAllTextAsync(Path.Combine(rules.FullName, Path.GetFileName(file)), text.Replace("lateness = \"2s\"", "lateness = \"10m\"", StringComparison.Ordinal), TestContext.Current.CancellationToken);
        }

        await harness.StartCorrelatorAsync(rules: rules.FullName);

        // Nothing newer follows and the host does not go quiet for ten minutes: only an early report publishes this.
        await harness.PublishAsync(
            InstallerEvents.ShellFromInstaller("mac-early", InstallerEvents.T0, "s-early"),
            InstallerEvents.CurlConnection("mac-early", InstallerEvents.T0 + InstallerEvents.Seconds(1), "c-early"));

        var alert = Assert.Single(harness.Alerts(1, TimeSpan.FromSeconds(30)));
        Assert.Equal(AlertFactory.AlertId("99239e7d-b0d4-46e3-8609-acafcf99f68c", ["s-early", "c-early"]), alert.Id);

        // The time-ordered pass must not publish it again once the host's events are released.
        Assert.Single(harness.Alerts(2, TimeSpan.FromSeconds(3)));
    }
}
