using System.Globalization;
using Vigil.Messaging;

namespace Vigil.Baseline.Learning;

/// <summary>
/// The last telemetry record (topic, partition, offset) whose observations a host's view of an image includes.
/// Stored with the view and compared-and-set with every update, it makes learning idempotent: a batch replayed
/// after a crash finds its records at or below the mark and skips them, so nothing is counted twice.
/// Text form "topic|partition|offset"; empty when nothing was learned yet.
/// </summary>
public readonly record struct Watermark(string Topic, int Partition, long Offset)
{
    public static Watermark None => new(string.Empty, -1, -1);

    public static Watermark Of<T>(ConsumedRecord<T> record) => new(record.Topic, record.Partition, record.Offset);

    /// <summary>Whether <paramref name="record"/> was already learned. Records of another partition (a host moved) are new.</summary>
    public bool Covers<T>(ConsumedRecord<T> record) => record.Topic == Topic && record.Partition == Partition && record.Offset <= Offset;

    public static Watermark Parse(string text)
    {
        var last = text.LastIndexOf('|');
        var middle = last > 0 ? text.LastIndexOf('|', last - 1) : -1;
        return middle > 0
            && int.TryParse(text.AsSpan(middle + 1, last - middle - 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var partition)
            && long.TryParse(text.AsSpan(last + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var offset)
            ? new Watermark(text[..middle], partition, offset)
            : None;
    }

    /// <summary>Writes <see cref="ToString"/>'s UTF-8 bytes to <paramref name="destination"/>; false when it is too short.</summary>
    public bool TryWriteUtf8(Span<byte> destination, out int written)
    {
        if (Partition < 0)
        {
            written = 0;
            return true;
        }

        return System.Text.Unicode.Utf8.TryWrite(destination, CultureInfo.InvariantCulture, $"{Topic}|{Partition}|{Offset}", out written);
    }

    public override string ToString() => Partition < 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"{Topic}|{Partition}|{Offset}");
}
