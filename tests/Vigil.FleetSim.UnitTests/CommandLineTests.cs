using Vigil.Contracts;
using TelemetryEvent = Vigil.Contracts.Telemetry.TelemetryEvent;
using Vigil.FleetSim.Cli;

namespace Vigil.FleetSim.UnitTests;

public sealed class CommandLineTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fleet-sim-").FullName;

    [Fact]
    public async Task NdjsonOutputAndGroundTruthAreWrittenEndToEnd()
    {
        var events = Path.Combine(folder, "events.ndjson");
        var truth = Path.Combine(folder, "truth.ndjson");

        var exit = await FleetSimCommand.Create().Parse(
        [
            "--seed", "8", "--hosts", "12", "--rate", "30", "--duration", "5m", "--scenario-interval", "20s",
            "--skew", "250ms", "--output", $"ndjson:{events}", "--ground-truth", truth, "--inject", "an0167-script-curl-to-tmp@3",
        ]).InvokeAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        var parsed = (await File.ReadAllLinesAsync(events, TestContext.Current.CancellationToken)).Select(EcsJson.Parse<TelemetryEvent>).ToList();
        var records = (await File.ReadAllLinesAsync(truth, TestContext.Current.CancellationToken)).Select(GroundTruthRecord.FromJson).ToList();
        Assert.InRange(parsed.Count, 7_000, 11_000);
        Assert.Contains(records, r => r.Origin == ScenarioOrigin.OnDemand && r.Scenario == "an0167-script-curl-to-tmp");
        Assert.True(records.Count >= 14);
        var ids = parsed.Select(e => e.Event.Id).ToHashSet();
        Assert.All(records.SelectMany(r => r.EventIds), id => Assert.Contains(id, ids));
    }

    [Fact]
    public async Task TheSameCommandLineWritesTheSameFile()
    {
        string[] Args(string file) => ["--seed", "3", "--events", "2000", "--output", $"ndjson:{file}"];
        var first = Path.Combine(folder, "a.ndjson");
        var second = Path.Combine(folder, "b.ndjson");

        await FleetSimCommand.Create().Parse(Args(first)).InvokeAsync(cancellationToken: TestContext.Current.CancellationToken);
        await FleetSimCommand.Create().Parse(Args(second)).InvokeAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2000, File.ReadLines(first).Count());
        Assert.Equal(await File.ReadAllBytesAsync(first, TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(second, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("--output", "kafka:localhost:9092")]
    [InlineData("--hosts", "0")]
    [InlineData("--analytics", "AN0000")]
    public async Task BadArgumentsFailWithAUsageExitCode(string option, string value)
    {
        string[] output = option == "--output" ? [] : ["--output", $"ndjson:{Path.Combine(folder, "x.ndjson")}"];
        var exit = await FleetSimCommand.Create().Parse([.. output, "--events", "10", option, value])
            .InvokeAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
    }

    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("30s", 30_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("00:02:00", 120_000)]
    public void DurationsReadAsOperatorsWriteThem(string text, double milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), DurationText.Parse(text));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
