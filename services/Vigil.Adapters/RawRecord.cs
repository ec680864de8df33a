namespace Vigil.Adapters;

/// <summary>
/// One raw record as it arrived: its bytes, the Kafka key when there is one (some agents key by host id), and where it
/// came from, so rejections can name their source.
/// </summary>
public sealed record RawRecord(ReadOnlyMemory<byte> Value, string? Key, string Source);
