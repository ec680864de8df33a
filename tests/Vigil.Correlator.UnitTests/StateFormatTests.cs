using Vigil.Correlator.UnitTests.Support;
using static Vigil.Correlator.UnitTests.Support.Telemetry;

namespace Vigil.Correlator.UnitTests;

public sealed class StateFormatTests
{
    private readonly Vigil.Detection.AnalyticPack pack = RoutePack.Load();

    [Fact]
    public void AStateIsWrittenAsFieldsAndReadsBackWithItsPendingSequence()
    {
        var rule = pack.Sequence();
        var state = rule.Engine.CreateState("mac-1");
        rule.Engine.Process(state, Shell("mac-1", T0, "s1"));

        var changes = StateFormat.Write(rule, state);
        var read = StateFormat.Read(rule, StoredState.OfFields(changes.CopiedSet()));

        Assert.True(changes.Replace);
        Assert.Equal(0, changes.Evicted);
        Assert.Equal(state.StoredBytes, changes.Set.Sum(f => f.Key.Length + f.Value.Length));
        Assert.Equal(state.BufferedEventCount + state.PendingSequenceCount, read.BufferedEventCount + read.PendingSequenceCount);
        Assert.Equal(state.LatestTimestamp, read.LatestTimestamp);
    }

    [Fact]
    public void AStateStoredBeforeTheFormatHadAVersionByteStillLoadsAndCompletesItsSequence()
    {
        var rule = pack.Sequence();
        var state = rule.Engine.CreateState("mac-1");
        rule.Engine.Process(state, Shell("mac-1", T0, "s1"));
        // What correlators stored until now: the serializer's bytes alone.
        var unversioned = rule.States.Serialize(state);

        var read = StateFormat.Read(rule, StoredState.OfBlob(unversioned));
        var result = rule.Engine.Process(read, Curl("mac-1", T0 + Seconds(10), "c1"));
        var flushed = rule.Engine.Flush(read);

        var match = Assert.Single(result.Matches.Concat(flushed.Matches));
        Assert.Equal(["s1", "c1"], match.Events.Select(e => e.Event.Id));
    }

    [Fact]
    public void AStateStoredBeforeEarlyReportsKeptTheirFirstEventStillLoadsAndDoesNotReportItsSequenceAgain()
    {
        var early = Vigil.Detection.AnalyticPack.Load(RoutePack.Analytic, Path.Combine(AppContext.BaseDirectory, "files", "route_pack"), new Vigil.Detection.EngineDefaults(RoutePack.Lateness) { ReportEarly = true });
        var rule = early.Sequence();
        var state = rule.Engine.CreateState("mac-1");
        rule.Engine.Process(state, Shell("mac-1", T0, "s1"));
        Assert.Single(rule.Engine.Process(state, Curl("mac-1", T0 + Seconds(1), "c1")).Matches);

        // The header as the field layout 0x04 held it: the same up to each early report's last event, which ended it.
        var fields = StateFormat.Write(rule, state).CopiedSet();
        var header = fields.Single(f => f.Key is [(byte)'h']);
        var firstEventPart = 1 + 8 + 8 + 1 + "s1".Length;
        var old = header.Value[..^firstEventPart];
        Assert.Equal(6, old[3]);
        old[3] = 4;
        fields[fields.IndexOf(header)] = KeyValuePair.Create(header.Key, old);

        var read = StateFormat.Read(rule, StoredState.OfFields(fields));
        var released = rule.Engine.Process(read, Curl("mac-1", T0 + Seconds(10), "c2"));

        Assert.Empty(released.Matches);
        Assert.Empty(rule.Engine.Flush(read).Matches);
    }

    [Fact]
    public void BytesOfAnUnknownFormatVersionAreRejectedAsUnreadable()
    {
        var rule = pack.Sequence();
        var bytes = StateFormat.WriteBlob(rule, rule.Engine.CreateState("mac-1"));
        bytes[0] = 9;

        var error = Assert.Throws<InvalidDataException>(() => StateFormat.Read(rule, StoredState.OfBlob(bytes)));
        Assert.Contains("version 9", error.Message, StringComparison.Ordinal);
    }
}
