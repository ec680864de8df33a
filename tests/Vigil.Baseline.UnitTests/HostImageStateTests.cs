using Vigil.Baseline.Learning;

namespace Vigil.Baseline.UnitTests;

public sealed class HostImageStateTests
{
    [Fact]
    public void AHostViewReadBackEqualsTheViewWritten()
    {
        var written = HostImageState.Empty(window: 5);
        written.FirstSeen = 1_740_992_400_000_000_001;
        written.LastSeen = 1_740_992_460_000_000_002;
        written.Observations = 42;
        written.Bucket = 174_099_246;
        written.BucketSent = 80_000;
        written.BucketReceived = 1_200;
        written.History = new BucketHistory(0b10101, 5);
        written.VolumeAlerted = true;
        written.BucketEvidence[174_099_244] = "ev;1=odd";
        written.Protocols["tcp/https/well-known"] = 40;
        written.SuppressedUntil["tcp/ftp/well-known"] = 1_741_078_860_000_000_000;

        var read = HostImageState.Parse("telemetry|7|1234", written.ToDocument(), window: 5);

        Assert.Equal("telemetry|7|1234", read.StoredWatermark);
        Assert.Equal(new Watermark("telemetry", 7, 1234), read.Watermark);
        Assert.Equal(written.ToDocument(), read.ToDocument());
        Assert.Equal(3, read.History.AnomalousCount);
        Assert.Equal("ev;1=odd", read.BucketEvidence[174_099_244]);
    }

    [Fact]
    public void AHostViewInTheCompactEncodingReadsBackAsTheViewWritten()
    {
        var written = Sample();

        var stored = written.ToStored();
        var read = HostImageState.ParseUtf8("telemetry|7|1234", stored, window: 5);

        Assert.Equal(written.ToDocument(), read.ToDocument());
        Assert.Equal(new Watermark("telemetry", 7, 1234), read.Watermark);
        Assert.Equal("ev;1=odd", read.BucketEvidence[174_099_244]);
        Assert.True(stored.Length < written.ToDocumentUtf8().Length);
    }

    [Fact]
    public void AHostViewStoredAsJsonBeforeTheCompactEncodingIsStillRead()
    {
        var written = Sample();

        var read = HostImageState.ParseUtf8("telemetry|7|1234", written.ToDocumentUtf8(), window: 5);

        Assert.Equal(written.ToDocument(), read.ToDocument());
        Assert.Equal(40, read.Protocols["tcp/https/well-known"]);
    }

    [Fact]
    public void AnEmptyHostViewWithoutABucketRoundTripsInTheCompactEncoding()
    {
        var written = HostImageState.Empty(window: 5);

        var read = HostImageState.ParseUtf8(string.Empty, written.ToStored(), window: 5);

        Assert.Null(read.Bucket);
        Assert.Equal(written.ToDocument(), read.ToDocument());
    }

    [Fact]
    public void ACompactHostViewCutShortIsRefusedRatherThanMisread()
    {
        var stored = Sample().ToStored();

        Assert.Throws<InvalidDataException>(() => HostImageState.ParseUtf8("telemetry|7|1234", stored.AsMemory(0, stored.Length - 3), window: 5));
    }

    [Fact]
    public void AMissingHostViewStartsEmpty()
    {
        var state = HostImageState.Parse(null, null, window: 5);

        Assert.Equal(string.Empty, state.StoredWatermark);
        Assert.Null(state.Bucket);
        Assert.Empty(state.Protocols);
    }

    [Fact]
    public void WatermarksOfTopicsWithSeparatorsInTheirNameRoundTrip()
    {
        var mark = new Watermark("vigil|telemetry", 3, 99);

        Assert.Equal(mark, Watermark.Parse(mark.ToString()));
        Assert.Equal(Watermark.None, Watermark.Parse("garbage"));
    }

    private static HostImageState Sample()
    {
        var view = HostImageState.Empty(window: 5);
        view.FirstSeen = 1_740_992_400_000_000_001;
        view.LastSeen = 1_740_992_460_000_000_002;
        view.Observations = 42;
        view.Bucket = 174_099_246;
        view.BucketSent = 80_000;
        view.BucketReceived = 1_200;
        view.History = new BucketHistory(0b10101, 5);
        view.VolumeAlerted = true;
        view.BucketEvidence[174_099_244] = "ev;1=odd";
        view.BucketEvidence[174_099_246] = "ëvent-ünicode";
        view.Protocols["tcp/https/well-known"] = 40;
        view.Protocols["udp/dns/well-known"] = 2;
        view.SuppressedUntil["tcp/ftp/well-known"] = 1_741_078_860_000_000_000;
        return view;
    }
}
