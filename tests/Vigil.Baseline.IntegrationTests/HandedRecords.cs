using StackExchange.Redis;
using Vigil.Baseline.Learning;
using Vigil.Baseline.Storage;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;
using Vigil.Redis;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>
/// Records a test hands to a baseline's handler directly, on a partition beyond the stack's telemetry partitions (the
/// service's own consume loop never assigns or revokes it meanwhile), and the Redis keys of their images.
/// </summary>
internal static class HandedRecords
{
    /// <summary><paramref name="events"/> as records of <paramref name="topic"/>'s <paramref name="partition"/> from <paramref name="offset"/> on, keyed by host.</summary>
    public static List<ConsumedRecord<TelemetryEvent>> Records(string topic, int partition, IEnumerable<TelemetryEvent> events, long offset) =>
        [.. events.Select((e, i) => new ConsumedRecord<TelemetryEvent>(topic, partition, offset + i, e.Host.Id, DateTimeOffset.UnixEpoch, e))];

    /// <summary>The tag of the image a network record's process runs.</summary>
    public static string Tag(ConsumedRecord<TelemetryEvent> record) => NetworkObservation.From(record)!.Value.Image.Tag;

    /// <summary>The stack's Redis keys of the baseline.</summary>
    public static BaselineKeys Keys(BaselineStack stack) => new(new RedisKeys(stack.KeyPrefix));

    /// <summary>The profile key of the image <paramref name="record"/>'s process runs.</summary>
    public static RedisKey ProfileKey(BaselineStack stack, ConsumedRecord<TelemetryEvent> record) => Keys(stack).Profile(Tag(record));
}
