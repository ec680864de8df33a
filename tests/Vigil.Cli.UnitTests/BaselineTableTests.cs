using Vigil.Contracts.Baseline;

namespace Vigil.Cli.UnitTests;

public sealed class BaselineTableTests
{
    [Fact]
    public void ALongImageIsShortenedInTheMiddleAndTheColumnsStayAligned()
    {
        var longName = "path:/Users/*/Library/Application Support/com.example.enterprise-sync/Helpers/Sync Helper (Renderer).app/Contents/MacOS/Sync Helper";
        ProfileSummary[] profiles =
        [
            new() { Image = "signing:com.apple.curl", Maturity = "learning", Observations = 12, Protocols = 2, Alerts = 0, LastSeen = 1_700_000_000_000_000_000 },
            new() { Image = longName, Maturity = "mature", Observations = 123_456_789, Protocols = 17, Alerts = 3, LastSeen = 1_700_000_000_000_000_000 },
        ];

        var lines = BaselineText.Table(profiles, width: 100).Split('\n');

        Assert.All(lines, l => Assert.True(l.Length <= 100, $"{l.Length}: {l}"));
        Assert.StartsWith("path:/Users/*/Li", lines[2], StringComparison.Ordinal);
        Assert.Contains("…", lines[2], StringComparison.Ordinal);
        Assert.Contains("MacOS/Sync Helper  mature", lines[2], StringComparison.Ordinal);
        var maturityColumn = lines[0].IndexOf("MATURITY", StringComparison.Ordinal);
        Assert.Equal(maturityColumn, lines[1].IndexOf("learning", StringComparison.Ordinal));
        Assert.Equal(maturityColumn, lines[2].IndexOf("mature", StringComparison.Ordinal));
        var alertsEnd = lines[0].IndexOf("ALERTS", StringComparison.Ordinal) + "ALERTS".Length;
        Assert.Equal('0', lines[1][alertsEnd - 1]);
        Assert.Equal('3', lines[2][alertsEnd - 1]);
    }

    [Fact]
    public void ShortImagesAreNotPaddedToAFixedWideColumn()
    {
        ProfileSummary[] profiles = [new() { Image = "name:tool", Maturity = "mature", Observations = 1, Protocols = 1, Alerts = 0 }];

        var lines = BaselineText.Table(profiles, width: 140).Split('\n');

        Assert.StartsWith("name:tool  mature", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void AVolumeIsPrintedWithItsThresholdInReadableUnits()
    {
        var profile = new Profile
        {
            Image = "signing:com.example.sync",
            Maturity = "mature",
            MaturedAt = 1_700_000_000_000_000_000,
            BucketSeconds = 60,
            SentPerConnection = new VolumeStatistics { Samples = 40, TypicalBytes = 12_300, AnomalyThresholdBytes = 13_500_000 },
        };

        var text = BaselineText.Describe(new GetProfileResponse { Profile = profile });

        Assert.Contains("sent per connection          typical 12.3 KB   anomalous above 13.5 MB   (40 samples)", text, StringComparison.Ordinal);
        Assert.Contains("received per connection      not learned yet", text, StringComparison.Ordinal);
    }
}
