using Vigil.FleetSim.UnitTests.Support;

namespace Vigil.FleetSim.UnitTests;

public sealed class InstallerNetworkScenarioTests
{
    private static readonly string[] ScriptInterpreters = ["bash", "sh", "zsh", "python", "osascript"];

    [Theory]
    [InlineData("installer-postinstall-curl", "installer")]
    [InlineData("installer-package-script-service-curl", "package_script_service")]
    public async Task AnInstallerScriptShellIsFollowedWithinThirtySecondsByCurlsConnection(string scenario, string installerName)
    {
        var plays = await ScenarioAssertions.PlayAsync(scenario, "installer-network", ScenarioLabel.Malicious, copies: 8);

        Assert.All(plays, play =>
        {
            Assert.Equal(2, play.Evidence.Count);
            var (shell, connect) = (play.Evidence[0], play.Evidence[1]);
            Assert.True(EventShapes.IsExec(shell));
            Assert.Equal(installerName, shell.Process.Parent.Name);
            Assert.Contains(shell.Process.Name, ScriptInterpreters);
            Assert.Equal(("network", "start"), (connect.Event.Category[0], connect.Event.Type[0]));
            Assert.Equal("curl", connect.Process.Name);
            Assert.Equal((shell.Host.Id, shell.User.Id), (connect.Host.Id, connect.User.Id));
            Assert.InRange(EventShapes.Gap(shell, connect), TimeSpan.Zero, TimeSpan.FromSeconds(30));
            ScenarioAssertions.InStepOrder(play.Evidence);
        });
    }

    [Fact]
    public async Task APostinstallShellWithoutNetworkMakesNoConnection()
    {
        var plays = await ScenarioAssertions.PlayAsync("installer-postinstall-no-network", "installer-network", ScenarioLabel.Benign, copies: 4);

        Assert.All(plays, play =>
        {
            Assert.Contains(play.Events, e => EventShapes.IsExec(e) && e.Process.Parent.Name == "installer" && e.Process.Name == "sh");
            Assert.DoesNotContain(play.Events, e => e.Event.Category[0] == "network");
        });
    }

    [Fact]
    public async Task CurlAfterAnInstallerShellConnectsOnlyAfterTheThirtySecondWindow()
    {
        var plays = await ScenarioAssertions.PlayAsync("installer-curl-after-window", "installer-network", ScenarioLabel.Benign, copies: 6);

        Assert.All(plays, play =>
        {
            var shell = play.Events.Single(e => EventShapes.IsExec(e) && e.Process.Parent.Name == "package_script_service");
            var connect = play.Events.Single(e => EventShapes.IsConnect(e) && e.Process.Name == "curl");
            Assert.Equal((shell.Host.Id, shell.User.Id), (connect.Host.Id, connect.User.Id));
            Assert.True(EventShapes.Gap(shell, connect) > TimeSpan.FromSeconds(30));
        });
    }
}
