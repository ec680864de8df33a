using Vigil.FleetSim.UnitTests.Support;

namespace Vigil.FleetSim.UnitTests;

public sealed class An1227ScenarioTests
{
    [Theory]
    [InlineData("an1227-automator-python-raw-socket")]
    [InlineData("an1227-osascript-curl-ftp")]
    [InlineData("an1227-osascript-curl-bulk-upload")]
    public async Task AutomationDrivesAnInterpreterToAnUnusualProtocolOrVolumeWithTheChainVisible(string scenario)
    {
        var plays = await ScenarioAssertions.PlayAsync(scenario, "AN1227", ScenarioLabel.Malicious, copies: 4);

        Assert.All(plays, play =>
        {
            Assert.Equal(2, play.Evidence.Count);
            var (connect, end) = (play.Evidence[0], play.Evidence[1]);
            Assert.True(EventShapes.IsConnect(connect));
            Assert.True(EventShapes.IsDisconnect(end));
            Assert.Equal(connect.Process.EntityId, end.Process.EntityId);
            Assert.Contains(connect.Process.Name, new[] { "curl", "python3" });
            Assert.Equal("sh", connect.Process.Parent.Name);
            Assert.Contains(connect.Process.Ext.EffectiveParent.Name, new[] { "osascript", "com.apple.Automator.xpc.workflowServiceRunner", "Automator Application Stub" });
            var unusualProtocol = connect.Network.Protocol is "ftp" or "" && connect.Destination.Port is not (80 or 443);
            var unusualVolume = end.Source.Bytes >= 30_000_000;
            Assert.True(unusualProtocol || unusualVolume);
            ScenarioAssertions.InStepOrder(play.Evidence);

            // The shell's own parent closes the chain back to the automation host.
            var shell = play.Events.Single(e => EventShapes.IsExec(e) && e.Process.EntityId == connect.Process.Parent.EntityId);
            Assert.Contains(shell.Process.Parent.Name, new[] { "osascript", "com.apple.Automator.xpc.workflowServiceRunner" });
        });
    }

    [Theory]
    [InlineData("an1227-automator-small-https")]
    [InlineData("an1227-osascript-small-https")]
    public async Task RoutineAutomationCurlsASmallHttpsRequestToAKnownService(string scenario)
    {
        var plays = await ScenarioAssertions.PlayAsync(scenario, "AN1227", ScenarioLabel.Benign, copies: 4);

        Assert.All(plays, play =>
        {
            var connect = play.Events.Single(EventShapes.IsConnect);
            var end = play.Events.Single(EventShapes.IsDisconnect);
            Assert.Equal("curl", connect.Process.Name);
            Assert.Contains(connect.Process.Ext.EffectiveParent.Name, new[] { "osascript", "Automator Application Stub" });
            Assert.Equal((443L, "https"), (connect.Destination.Port, connect.Network.Protocol));
            Assert.True(end.Source.Bytes < 100_000);
            Assert.NotEmpty(connect.Destination.Domain);
        });
    }
}
