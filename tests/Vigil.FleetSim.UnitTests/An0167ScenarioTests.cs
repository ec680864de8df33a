using Vigil.FleetSim.UnitTests.Support;

namespace Vigil.FleetSim.UnitTests;

public sealed class An0167ScenarioTests
{
    [Theory]
    [InlineData("an0167-script-curl-to-tmp")]
    [InlineData("an0167-office-shell-download")]
    public async Task TheDownloaderExecsConnectsAndCreatesAFileInAStagingFolderWithinSeconds(string scenario)
    {
        var plays = await ScenarioAssertions.PlayAsync(scenario, "AN0167", ScenarioLabel.Malicious);

        Assert.All(plays, play =>
        {
            Assert.Equal(3, play.Evidence.Count);
            var (exec, connect, create) = (play.Evidence[0], play.Evidence[1], play.Evidence[2]);
            Assert.True(EventShapes.IsExec(exec));
            Assert.True(EventShapes.IsConnect(connect));
            Assert.True(EventShapes.IsFileCreate(create));
            Assert.Contains(exec.Process.Name, new[] { "curl", "wget" });
            Assert.Single(play.Evidence.Select(e => e.Process.EntityId).Distinct());
            Assert.Matches(@"^(/tmp/|/private/tmp/|/var/folders/|/Users/Shared/|/Users/[^/]+/Library/|/Users/[^/]+/Downloads/)", create.File.Path);
            Assert.Contains(create.File.Path, exec.Process.Args);
            Assert.InRange(EventShapes.Gap(exec, create), TimeSpan.Zero, TimeSpan.FromSeconds(10));
            ScenarioAssertions.InStepOrder(play.Evidence);
        });
    }

    [Fact]
    public async Task ALaunchAgentScriptIsTheDownloadersParent()
    {
        var plays = await ScenarioAssertions.PlayAsync("an0167-script-curl-to-tmp", "AN0167", ScenarioLabel.Malicious, copies: 3);

        Assert.All(plays, play =>
        {
            var exec = play.Evidence[0];
            Assert.Equal("bash", exec.Process.Parent.Name);
            Assert.Contains("/Library/Application Support/.", exec.Process.Parent.CommandLine, StringComparison.Ordinal);
            Assert.Contains(play.Events, e => e.Event.Action == "script_load" && e.Process.EntityId == exec.Process.Parent.EntityId);
        });
    }

    [Fact]
    public async Task MicrosoftWordIsTheShellsUnusualParent()
    {
        var plays = await ScenarioAssertions.PlayAsync("an0167-office-shell-download", "AN0167", ScenarioLabel.Malicious, copies: 3);

        Assert.All(plays, play =>
        {
            var shell = play.Events.Single(e => EventShapes.IsExec(e) && e.Process.Name == "zsh");
            Assert.Equal("Microsoft Word", shell.Process.Parent.Name);
            Assert.Equal(shell.Process.EntityId, play.Evidence[0].Process.Parent.EntityId);
        });
    }

    [Fact]
    public async Task BrewsCurlLooksTheSameButRunsUnderHomebrewAndWritesToItsCache()
    {
        var plays = await ScenarioAssertions.PlayAsync("an0167-brew-curl-cache", "AN0167", ScenarioLabel.Benign);

        Assert.All(plays, play =>
        {
            var curl = play.Events.Single(e => EventShapes.IsExec(e) && e.Process.Name == "curl");
            var sameProcess = play.Events.Where(e => e.Process.EntityId == curl.Process.EntityId).ToList();
            var create = sameProcess.Single(EventShapes.IsFileCreate);
            Assert.Contains(sameProcess, EventShapes.IsConnect);
            Assert.Equal("ruby", curl.Process.Parent.Name);
            Assert.Contains("brew.rb", curl.Process.Parent.CommandLine, StringComparison.Ordinal);
            Assert.Matches(@"^(/Users/[^/]+/Library/Caches/Homebrew/downloads/|/private/tmp/homebrew-)", create.File.Path);
            Assert.Equal("ghcr.io", sameProcess.Single(EventShapes.IsConnect).Destination.Domain);
        });
    }

    [Fact]
    public async Task TheMdmAgentsCurlRunsAsRootAgainstItsOwnTenantIntoItsOwnFolder()
    {
        var plays = await ScenarioAssertions.PlayAsync("an0167-mdm-curl-own-folder", "AN0167", ScenarioLabel.Benign);

        Assert.All(plays, play =>
        {
            var curl = play.Events.Single(e => EventShapes.IsExec(e) && e.Process.Name == "curl");
            var create = play.Events.Single(e => EventShapes.IsFileCreate(e) && e.Process.EntityId == curl.Process.EntityId);
            var connect = play.Events.Single(e => EventShapes.IsConnect(e) && e.Process.EntityId == curl.Process.EntityId);
            Assert.Equal("0", curl.User.Id);
            Assert.Contains(curl.Process.Parent.Name, new[] { "jamf", "kandji-daemon", "MosyleMDM" });
            Assert.True(curl.Process.Parent.CodeSignature.Trusted);
            Assert.Matches(@"^(/Library/Application Support/(JAMF|Mosyle)/|/private/tmp/kandji-)", create.File.Path);
            Assert.Matches(@"(jamfcloud\.com|kandji\.io|mosyle\.com)$", connect.Destination.Domain);
            Assert.Equal(443, connect.Destination.Port);
        });
    }
}
