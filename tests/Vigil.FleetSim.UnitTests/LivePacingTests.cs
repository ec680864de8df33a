using Vigil.FleetSim.UnitTests.Support;

namespace Vigil.FleetSim.UnitTests;

public sealed class LivePacingTests
{
    private static readonly DateTimeOffset WallStart = new(2030, 1, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task NoEventIsDeliveredBeforeItsTimestampOnTheWallClock()
    {
        var clock = new SteppingTimeProvider(WallStart);
        var outcome = await Simulate.RunAsync(new FleetSimulationOptions { Seed = 4, EventsPerSecond = 20, Duration = TimeSpan.FromMinutes(2), Pacing = PacingMode.Live }, clock: clock);

        Assert.NotEmpty(outcome.Events);
        Assert.All(outcome.Sink.Batches, batch =>
        {
            var deliveredNanos = Contracts.EcsTimestamp.ToUnixNanos(batch.At);
            Assert.All(batch.Batch, e => Assert.True(e.Timestamp <= deliveredNanos + 2_000_000, "delivered early"));
        });
    }

    [Fact]
    public async Task TheRunTakesAsLongOnTheWallClockAsTheEventsSpan()
    {
        var clock = new SteppingTimeProvider(WallStart);
        var outcome = await Simulate.RunAsync(new FleetSimulationOptions { Seed = 4, EventsPerSecond = 20, Duration = TimeSpan.FromMinutes(2), Pacing = PacingMode.Live }, clock: clock);

        var span = Contracts.EcsTimestamp.FromUnixNanos(outcome.Summary.LastEventTime) - WallStart;
        Assert.InRange(clock.TotalWaited, span - TimeSpan.FromSeconds(1), span);
        Assert.True(outcome.Summary.FirstEventTime >= Contracts.EcsTimestamp.ToUnixNanos(WallStart));
    }

    [Fact]
    public async Task CancellingALiveRunDeliversWhatWasGeneratedAndRecordsUnfinishedScenarios()
    {
        using var cancellation = new CancellationTokenSource();
        var sink = new RecordingSink { BeforeFirstBatch = () => { cancellation.Cancel(); return Task.CompletedTask; } };
        var groundTruth = new RecordingGroundTruth(sink);
        var simulation = new FleetSimulation(new FleetSimulationOptions { Seed = 4, Pacing = PacingMode.Live, EventsPerSecond = 20 }, groundTruth, new SteppingTimeProvider(WallStart));
        var id = simulation.InjectScenario("installer-curl-after-window");

        var summary = await simulation.RunAsync(sink, cancellation.Token);

        Assert.Equal(summary.Events, sink.Events.Count);
        Assert.Equal(summary.Events, simulation.EventsEmitted);
        var record = Assert.Single(groundTruth.Records);
        Assert.Equal((id, false), (record.ScenarioId, record.Complete));
    }
}
