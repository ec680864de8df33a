using System.Text.Json.Serialization;

namespace Vigil.Baseline.Learning;

/// <summary>
/// How a host view was stored before <see cref="HostViewBinary"/>: one JSON document in field "s" of its hash (the
/// watermark is field "w"). Still read, for views written before, and the readable form tests compare.
/// </summary>
internal sealed record HostViewDocument(
    [property: JsonPropertyName("f")] long FirstSeen,
    [property: JsonPropertyName("l")] long LastSeen,
    [property: JsonPropertyName("o")] long Observations,
    [property: JsonPropertyName("b")] long? Bucket,
    [property: JsonPropertyName("bs")] long BucketSent,
    [property: JsonPropertyName("br")] long BucketReceived,
    [property: JsonPropertyName("h")] ulong History,
    [property: JsonPropertyName("ha")] bool VolumeAlerted,
    [property: JsonPropertyName("ev")] Dictionary<long, string>? BucketEvidence,
    [property: JsonPropertyName("p")] Dictionary<string, long>? Protocols,
    [property: JsonPropertyName("a")] Dictionary<string, long>? SuppressedUntil);

/// <summary>Source-generated serializer for <see cref="HostViewDocument"/>.</summary>
[JsonSerializable(typeof(HostViewDocument))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class HostViewJson : JsonSerializerContext;
