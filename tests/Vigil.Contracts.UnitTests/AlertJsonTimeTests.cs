using System.Text.Json;
using Vigil.Contracts.Alerts;

namespace Vigil.Contracts.UnitTests;

/// <summary>An alert's times read as dates in JSON, not as integer nanoseconds.</summary>
public sealed class AlertJsonTimeTests
{
    [Fact]
    public void AnAlertsTimesAreIsoTextInJson()
    {
        var first = new DateTimeOffset(2026, 3, 4, 10, 15, 30, 123, TimeSpan.Zero);
        var alert = new Alert
        {
            Id = "a1",
            FirstEventTime = EcsTimestamp.ToUnixNanos(first),
            LastEventTime = EcsTimestamp.ToUnixNanos(first.AddSeconds(2)),
            DetectionTime = EcsTimestamp.ToUnixNanos(first.AddSeconds(3)),
        };

        using var json = JsonDocument.Parse(EcsJson.Format(alert));

        Assert.Equal("2026-03-04T10:15:30.123Z", json.RootElement.GetProperty("first_event_time").GetString());
        Assert.Equal("2026-03-04T10:15:32.123Z", json.RootElement.GetProperty("last_event_time").GetString());
        Assert.Equal("2026-03-04T10:15:33.123Z", json.RootElement.GetProperty("detection_time").GetString());
    }
}
