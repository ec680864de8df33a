using Confluent.Kafka;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// The reset line as librdkafka 2.x formats it ("%s [%d]: offset reset (at %s, broker %d) to %s%s: %s: %s", each
/// position as "offset %s (leader epoch %d)"); a pure parser, so tested on written lines, not a broker.
/// </summary>
public sealed class OffsetResetNoticeTests
{
    private const string Reset =
        "telemetry [3]: offset reset (at offset 120 (leader epoch -1), broker 1) to cached offset BEGINNING (leader epoch -1): fetch failed due to requested offset not available on the broker: Broker: Offset out of range";

    [Fact]
    public void AWarningResetGivesTheTopicPartitionAndThePositionWhoseRecordsWereSkipped()
    {
        Assert.True(OffsetResetNotice.TryParse(SyslogLevel.Warning, "OFFSET", Reset, out var notice));
        Assert.Equal("telemetry", notice.Topic);
        Assert.Equal(3, notice.Partition);
        Assert.Equal(120, notice.At);
        Assert.StartsWith("to cached offset BEGINNING", notice.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TheThreadNamePrefixIsAccepted()
    {
        Assert.True(OffsetResetNotice.TryParse(SyslogLevel.Warning, "OFFSET", "[thrd:main]: " + Reset, out var notice));
        Assert.Equal(("telemetry", 3, 120L), (notice.Topic, notice.Partition, notice.At));
    }

    [Fact]
    public void AResetAtANamedPositionHasNoNumberToCountFrom()
    {
        var line = "t.x [0]: offset reset (at offset BEGINNING (leader epoch -1), broker 2) to offset END (leader epoch 4): fetch failed: Broker: Offset out of range";
        Assert.True(OffsetResetNotice.TryParse(SyslogLevel.Warning, "OFFSET", line, out var notice));
        Assert.Null(notice.At);
    }

    [Fact]
    public void AFreshStartAtDebugLevelIsNotAReset()
    {
        // A partition with no committed offset starts at auto.offset.reset: the same line, at debug level, skips nothing.
        var line = "[thrd:main]: t [0]: offset reset (at offset INVALID (leader epoch -1), broker 1) to offset BEGINNING (leader epoch -1): no previously committed offset available: Local: No offset stored";
        Assert.False(OffsetResetNotice.TryParse(SyslogLevel.Debug, "OFFSET", line, out _));
        Assert.False(OffsetResetNotice.Mentioned(SyslogLevel.Debug, "OFFSET", line));
        Assert.True(OffsetResetNotice.TryParse(SyslogLevel.Warning, "OFFSET", line, out var notice));
        Assert.Null(notice.At);
    }

    [Theory]
    [InlineData("OFFSET", "offset reset happened somewhere")]
    [InlineData("OFFSET", "t [x]: offset reset (at offset 5, broker 1) to END")]
    [InlineData("FETCH", Reset)]
    [InlineData("OFFSET", "")]
    public void GarbageIsNotAReset(string facility, string message)
    {
        Assert.False(OffsetResetNotice.TryParse(SyslogLevel.Warning, facility, message, out _));
    }

    [Fact]
    public void AnUnparsedWarningResetIsStillRecognisedAsOneSoItCanBeReported()
    {
        Assert.True(OffsetResetNotice.Mentioned(SyslogLevel.Warning, "OFFSET", "offset reset happened somewhere"));
        Assert.False(OffsetResetNotice.Mentioned(SyslogLevel.Warning, "FETCH", Reset));
    }
}
