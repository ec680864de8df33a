using Vigil.Contracts.Telemetry;

namespace Vigil.Cli.UnitTests;

public sealed class TelemetryRateSummaryTests
{
    [Fact]
    public void ABacklogDrainedAtStartDoesNotInflateTheLiveRate()
    {
        var start = DateTimeOffset.UtcNow;
        var summary = new TelemetryRateSummary();
        var e = new TelemetryEvent { Host = new Host { Id = "h1" }, Event = new Event { Action = "exec" } };
        for (var i = 0; i < 3000; i++)
        {
            summary.Add(e, start.AddMinutes(-30));
        }

        for (var i = 0; i < 60; i++)
        {
            summary.Add(e, start.AddSeconds(1));
        }

        var line = summary.Due(start.AddSeconds(6));

        Assert.NotNull(line);
        Assert.Contains(" 10 events/s from 1 hosts", line, StringComparison.Ordinal);
        Assert.Contains("3000 older records caught up", line, StringComparison.Ordinal);
    }
}
