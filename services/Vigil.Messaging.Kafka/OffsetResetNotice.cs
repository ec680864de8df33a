using System.Globalization;
using System.Text.RegularExpressions;

namespace Vigil.Messaging.Kafka;

/// <summary>
/// librdkafka's word that it moved a partition's fetch position by auto.offset.reset after a fetch error (most often
/// "Offset out of range": the records at the position were deleted by retention). librdkafka says so only in a
/// warning-level log line of facility OFFSET, never as an error event, e.g.
/// <c>[thrd:main]: t [0]: offset reset (at offset 120 (leader epoch -1), broker 1) to cached BEGINNING offset 480 (leader epoch -1): fetch failed due to requested offset not available on the broker: Broker: Offset out of range</c>.
/// </summary>
/// <param name="At">The position whose fetch failed, when librdkafka gave it as a number: where the records never read begin.</param>
internal readonly partial record struct OffsetResetNotice(string Topic, int Partition, long? At, string Detail)
{
    /// <summary>Recognises the reset line, with or without the thread name librdkafka puts first (log.thread.name).</summary>
    public static bool TryParse(string facility, string message, out OffsetResetNotice notice)
    {
        notice = default;
        if (!string.Equals(facility, "OFFSET", StringComparison.Ordinal) || !message.Contains(": offset reset (at ", StringComparison.Ordinal))
        {
            return false;
        }

        var match = Line().Match(message);
        if (!match.Success || !int.TryParse(match.Groups["partition"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
        {
            return false;
        }

        long? at = long.TryParse(match.Groups["at"].ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var offset) && offset >= 0 ? offset : null;
        notice = new OffsetResetNotice(match.Groups["topic"].Value, partition, at, match.Groups["detail"].Value);
        return true;
    }

    [GeneratedRegex(@"^(?:\[thrd:[^\]]*\]: )?(?<topic>\S+) \[(?<partition>\d+)\]: offset reset \(at offset (?<at>\S+)[^)]*\)[^)]*\) (?<detail>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Line();
}
