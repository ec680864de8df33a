using System.Globalization;
using System.Text.RegularExpressions;
using Confluent.Kafka;

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
    /// <summary>
    /// Recognises the reset line, with or without the thread name librdkafka puts first (log.thread.name). Only at
    /// warning level or above: librdkafka writes the same line at debug level when a partition with no committed offset
    /// starts at auto.offset.reset ("at offset INVALID"), which skips nothing.
    /// </summary>
    public static bool TryParse(SyslogLevel level, string facility, string message, out OffsetResetNotice notice)
    {
        notice = default;
        if (!Mentioned(level, facility, message))
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

    /// <summary>Whether the line is a warning-level reset notice at all; one that then fails to parse is a format this code does not know.</summary>
    public static bool Mentioned(SyslogLevel level, string facility, string message) =>
        level <= SyslogLevel.Warning
        && string.Equals(facility, "OFFSET", StringComparison.Ordinal)
        && message.Contains("offset reset", StringComparison.Ordinal);

    [GeneratedRegex(@"^(?:\[thrd:[^\]]*\]: )?(?<topic>\S+) \[(?<partition>\d+)\]: offset reset \(at offset (?<at>\S+)[^)]*\)[^)]*\) (?<detail>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Line();
}
