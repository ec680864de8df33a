using Vigil.FleetSim.UnitTests.Support;

namespace Vigil.FleetSim.UnitTests;

public sealed class An0425ScenarioTests
{
    private static readonly string SensitivePaths = @"^/Users/[^/]+/(Documents|Desktop|Library/Keychains|Library/Mail|Library/Cookies|Library/Application Support/(Google/Chrome|Firefox))/";

    [Fact]
    public async Task ANonBrowserReadsUserDataThenConnectsOutOverHttpOrFtpFromTheSameProcess()
    {
        var plays = await ScenarioAssertions.PlayAsync("an0425-docs-then-http-exfil", "AN0425", ScenarioLabel.Malicious);

        Assert.All(plays, play =>
        {
            Assert.Equal(2, play.Evidence.Count);
            var (open, connect) = (play.Evidence[0], play.Evidence[1]);
            Assert.True(EventShapes.IsFileOpen(open));
            Assert.True(EventShapes.IsConnect(connect));
            Assert.Equal(open.Process.EntityId, connect.Process.EntityId);
            Assert.DoesNotContain(connect.Process.Name, EventShapes.BrowserNames);
            Assert.Matches(SensitivePaths, open.File.Path);
            Assert.Contains((connect.Destination.Port, connect.Network.Protocol), new[] { (80L, "http"), (8080L, "http"), (21L, "ftp") });
            ScenarioAssertions.InStepOrder(play.Evidence);

            // The cited file access is the latest one before the connection (a newer partial replaces an older one).
            var opens = play.Events.Where(e => EventShapes.IsFileOpen(e) && e.Process.EntityId == connect.Process.EntityId).ToList();
            Assert.True(opens.Count >= 3);
            Assert.Equal(opens[^1].Event.Id, open.Event.Id);
            Assert.All(opens, o => Assert.Matches(SensitivePaths, o.File.Path));

            var end = play.Events.Single(e => EventShapes.IsDisconnect(e) && e.Process.EntityId == connect.Process.EntityId);
            Assert.True(end.Source.Bytes >= opens.Sum(o => o.File.Size));
        });
        Assert.Equal(["curl", "python3"], plays.Select(p => p.Evidence[1].Process.Name).Where(n => n is "curl" or "python3").Distinct().Order());
        Assert.Contains(plays, p => !p.Evidence[1].Process.CodeSignature.Exists);
    }

    [Theory]
    [InlineData("an0425-backup-https-upload")]
    [InlineData("an0425-word-docs-https-sync")]
    public async Task KnownSignedAppsReadDocumentsAndTalkHttpsToTheirVendor(string scenario)
    {
        var plays = await ScenarioAssertions.PlayAsync(scenario, "AN0425", ScenarioLabel.Benign, copies: 6);

        Assert.All(plays, play =>
        {
            var opens = play.Events.Where(EventShapes.IsFileOpen).ToList();
            var connect = play.Events.Single(EventShapes.IsConnect);
            Assert.NotEmpty(opens);
            Assert.All(opens, o => Assert.Equal(connect.Process.EntityId, o.Process.EntityId));
            Assert.True(connect.Process.CodeSignature.Trusted);
            Assert.NotEmpty(connect.Process.CodeSignature.TeamId);
            Assert.Equal((443L, "https"), (connect.Destination.Port, connect.Network.Protocol));
            Assert.True(EventShapes.Precedes(opens[^1], connect));
        });
    }
}
