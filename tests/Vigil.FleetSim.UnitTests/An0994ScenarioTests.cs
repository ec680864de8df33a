using Vigil.FleetSim.UnitTests.Support;

namespace Vigil.FleetSim.UnitTests;

public sealed class An0994ScenarioTests
{
    [Fact]
    public async Task ABrowsersChildLoadsAScriptOrUnsignedLibraryFromAUserWritablePathAtOnce()
    {
        var plays = await ScenarioAssertions.PlayAsync("an0994-browser-child-load", "AN0994", ScenarioLabel.Malicious, copies: 16);

        Assert.All(plays, play =>
        {
            Assert.Equal(2, play.Evidence.Count);
            var (exec, load) = (play.Evidence[0], play.Evidence[1]);
            Assert.True(EventShapes.IsExec(exec));
            Assert.Contains(exec.Process.Parent.Name, EventShapes.BrowserNames);
            Assert.Equal(("library", "start"), (load.Event.Category[0], load.Event.Type[0]));
            Assert.Contains(load.Event.Action, new[] { "load", "script_load" });
            Assert.Equal(exec.Process.EntityId, load.Process.EntityId);
            Assert.InRange(EventShapes.Gap(exec, load), TimeSpan.Zero, TimeSpan.FromSeconds(1));
            Assert.True(ScenarioAssertions.IsUserWritable(load.Dll.Path, $"/Users/{exec.User.Name}"), load.Dll.Path);
            Assert.False(load.Dll.CodeSignature.Trusted);
            ScenarioAssertions.InStepOrder(play.Evidence);
        });
        var children = plays.Select(p => p.Evidence[0].Process.Name).ToHashSet();
        Assert.Contains("sh", children);
        Assert.Contains("osascript", children);
        Assert.Contains("python3", children);
        Assert.Contains(plays, p => p.Evidence[1].Event.Action == "load" && !p.Evidence[0].Process.CodeSignature.Exists);
    }

    [Fact]
    public async Task BrowserHelpersLoadOnlyTheirOwnSignedFrameworks()
    {
        var plays = await ScenarioAssertions.PlayAsync("an0994-browser-helper-framework-load", "AN0994", ScenarioLabel.Benign, copies: 16);

        Assert.All(plays, play =>
        {
            var helper = play.Events.Single(e => EventShapes.IsExec(e) && e.Process.Name is "Google Chrome Helper (Renderer)" or "com.apple.WebKit.WebContent");
            var loads = play.Events.Where(e => e.Event.Action == "load" && e.Process.EntityId == helper.Process.EntityId).ToList();
            var browser = helper.Process.Name == "com.apple.WebKit.WebContent" ? helper.Process.Ext.EffectiveParent.Name : helper.Process.Parent.Name;
            Assert.Contains(browser, new[] { "Safari", "Google Chrome" });
            Assert.NotEmpty(loads);
            Assert.All(loads, load =>
            {
                Assert.True(load.Dll.CodeSignature.Trusted);
                Assert.Equal(helper.Process.CodeSignature.TeamId, load.Dll.CodeSignature.TeamId);
                Assert.False(ScenarioAssertions.IsUserWritable(load.Dll.Path, $"/Users/{helper.User.Name}"));
            });
        });
        Assert.Contains(plays, p => p.Events.Any(e => e.Process.Name == "Google Chrome Helper (Renderer)"));
        Assert.Contains(plays, p => p.Events.Any(e => e.Process.Name == "com.apple.WebKit.WebContent"));
    }

    [Fact]
    public async Task AFileWrittenToDownloadsOrCachesIsExecutedFromThatPathSecondsLater()
    {
        var plays = await ScenarioAssertions.PlayAsync("an0994-download-executed", "AN0994", ScenarioLabel.Malicious);

        Assert.All(plays, play =>
        {
            Assert.Equal(2, play.Evidence.Count);
            var (write, exec) = (play.Evidence[0], play.Evidence[1]);
            Assert.True(EventShapes.IsFileCreate(write));
            Assert.True(EventShapes.IsExec(exec));
            Assert.Equal(write.File.Path, exec.Process.Executable);
            Assert.Matches(@"^/Users/[^/]+/(Downloads|Library/Caches)/", write.File.Path);
            Assert.InRange(EventShapes.Gap(write, exec), TimeSpan.Zero, TimeSpan.FromSeconds(20));
            Assert.False(exec.Process.CodeSignature.Trusted);
            Assert.Equal("cffaedfe", write.File.Ext.HeaderBytes[..8]);
            ScenarioAssertions.InStepOrder(play.Evidence);
        });
        Assert.Contains(plays, p => p.Evidence[0].File.Path.Contains("/Downloads/", StringComparison.Ordinal));
        Assert.Contains(plays, p => p.Evidence[0].File.Path.Contains("/Library/Caches/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADownloadedPackageIsOpenedInInstallerMinutesLater()
    {
        var plays = await ScenarioAssertions.PlayAsync("an0994-pkg-opened-in-installer", "AN0994", ScenarioLabel.Benign, copies: 6);

        Assert.All(plays, play =>
        {
            var download = play.Events.Single(e => EventShapes.IsFileCreate(e) && e.File.Extension == "pkg");
            var installer = play.Events.Single(e => EventShapes.IsExec(e) && e.Process.Name == "Installer");
            Assert.StartsWith($"/Users/{download.User.Name}/Downloads/", download.File.Path, StringComparison.Ordinal);
            Assert.NotEqual(download.File.Path, installer.Process.Executable);
            Assert.Contains(download.File.Path, installer.Process.Args);
            Assert.True(EventShapes.Gap(download, installer) >= TimeSpan.FromMinutes(2));
            Assert.True(installer.Process.CodeSignature.Trusted);
        });
    }

    [Fact]
    public async Task AnAppUnpackedIntoDownloadsRunsSecondsLaterWithATrustedSignature()
    {
        var plays = await ScenarioAssertions.PlayAsync("an0994-signed-app-from-downloads", "AN0994", ScenarioLabel.Benign, copies: 6);

        Assert.All(plays, play =>
        {
            var exec = play.Events.Last(EventShapes.IsExec);
            var write = play.Events.Single(e => EventShapes.IsFileCreate(e) && e.File.Path == exec.Process.Executable);
            Assert.StartsWith($"/Users/{write.User.Name}/Downloads/", write.File.Path, StringComparison.Ordinal);
            Assert.InRange(EventShapes.Gap(write, exec), TimeSpan.Zero, TimeSpan.FromSeconds(20));
            Assert.True(exec.Process.CodeSignature.Trusted);
            Assert.NotEmpty(exec.Process.CodeSignature.TeamId);
        });
    }
}
