using Vigil.Baseline.Learning;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;
using static Vigil.Baseline.UnitTests.BaselineTelemetry;

namespace Vigil.Baseline.UnitTests;

/// <summary>
/// The baseline sorts each event by what it does with it (<see cref="EventUses"/>), on the consume thread, and keeps the
/// sort in the record's note; the handler's observations are the same whether it reads the note or sorts the event itself.
/// </summary>
public sealed class EventUseTests
{
    private readonly BaselineTelemetry mac = new("mac-sort");
    private readonly Process agent = SyncAgent("agent-sort");

    [Fact]
    public void ProcessStartsConnectionsLookupsAndEndsAreSortedByKindAndEverythingElseIsSkipped()
    {
        Assert.Equal(EventUse.ProcessStart, EventUses.Of(mac.Exec(agent, Start)));
        Assert.Equal(EventUse.Connection, EventUses.Of(mac.Connect(agent, Start)));
        Assert.Equal(EventUse.Lookup, EventUses.Of(mac.Lookup(agent, Start)));
        Assert.Equal(EventUse.Completion, EventUses.Of(mac.Disconnect(agent, Start, 10, 20)));
        Assert.Equal(EventUse.Skipped, EventUses.Of(mac.FileOpen(agent, Start, "/Users/a/Documents/x.txt")));
        Assert.Equal(EventUse.Skipped, EventUses.Of(new TelemetryEvent()));
    }

    [Fact]
    public void ANetworkProtocolEventIsALookupOnlyWithADnsObjectOrTheLookupAction()
    {
        var lookup = mac.Lookup(agent, Start);
        lookup.Event.Action = "http_request";
        Assert.Equal(EventUse.Lookup, EventUses.Of(lookup));

        lookup.Dns = null;
        Assert.Equal(EventUse.Skipped, EventUses.Of(lookup));

        lookup.Event.Action = "lookup_requested";
        Assert.Equal(EventUse.Lookup, EventUses.Of(lookup));
    }

    [Fact]
    public void AProcessStartThatIsAlsoANetworkEventIsSortedAsAProcessStartYetStillMakesItsObservationWhenAskedDirectly()
    {
        var both = mac.Connect(agent, Start);
        both.Event.Category.Add("process");

        Assert.Equal(EventUse.ProcessStart, EventUses.Of(both));
        Assert.Equal(EventUse.Connection, EventUses.NetworkUse(both));
        Assert.NotNull(NetworkObservation.From(Record(both)));
    }

    [Theory]
    [InlineData(EventUse.Skipped)]
    [InlineData(EventUse.ProcessStart)]
    [InlineData(EventUse.Connection)]
    [InlineData(EventUse.Lookup)]
    [InlineData(EventUse.Completion)]
    public void EveryUseReadsBackFromItsNoteWhichIsNeverTheUnpreparedZero(EventUse use)
    {
        var note = EventUses.Note(use);

        Assert.NotEqual(0UL, note);
        Assert.True(EventUses.TryRead(note, out var read));
        Assert.Equal(use, read);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData((1UL << 63) | 5)]
    [InlineData((1UL << 63) | (1UL << 20) | 2)]
    [InlineData(ulong.MaxValue)]
    public void AnUnpreparedRecordOrANoteNoUsePacksToIsNotRead(ulong note) =>
        Assert.False(EventUses.TryRead(note, out _));

    [Fact]
    public void AnEventSortedInAdvanceMakesTheObservationOfItsKind()
    {
        (TelemetryEvent Event, ObservationKind? Kind)[] cases =
        [
            (mac.Connect(agent, Start), ObservationKind.Connection),
            (mac.Connect(agent, Start + Second, protocol: "ssh", port: 22, destination: "build.example.com"), ObservationKind.Connection),
            (mac.Lookup(agent, Start + (2 * Second)), ObservationKind.Lookup),
            (mac.Disconnect(agent, Start + (3 * Second), 1_000, 20_000), ObservationKind.Completion),
            (mac.Exec(agent, Start + (4 * Second)), null),
            (mac.FileOpen(agent, Start + (5 * Second), "/tmp/x"), null),
        ];

        foreach (var (e, kind) in cases)
        {
            var record = Record(e);
            var made = NetworkObservation.TryFrom(record, EventUses.Of(e), out var prepared);

            Assert.Equal(kind is not null, made);
            if (made)
            {
                Assert.Equal(kind, prepared.Kind);
                Assert.Equal(mac.HostId, prepared.HostId);
                Assert.Equal("signing:TEAM123456/com.example.sync", prepared.Image.Identity);
                Assert.Equal(NetworkObservation.From(record), prepared);
            }
        }
    }

    [Fact]
    public void ANonNetworkUseMakesNoObservationEvenOfANetworkEvent()
    {
        var record = Record(mac.Connect(agent, Start));

        Assert.False(NetworkObservation.TryFrom(record, EventUse.Skipped, out _));
        Assert.False(NetworkObservation.TryFrom(record, EventUse.ProcessStart, out _));
    }

    private ConsumedRecord<TelemetryEvent> Record(TelemetryEvent e) => new("telemetry", 0, 0, mac.HostId, DateTimeOffset.UnixEpoch, e);
}
