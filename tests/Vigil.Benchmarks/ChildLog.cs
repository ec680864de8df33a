using System.Globalization;
using System.Text.RegularExpressions;

namespace Vigil.Benchmarks;

/// <summary>
/// What a benchmark child logs, as the benchmark sees it: the services log to standard output (the simple console
/// format the child asks for, "HH:mm:ss.fff warn: Category[0] message"), the same stream that carries the protocol lines
/// the benchmark reads ("started", "count ...", "figures ..."). This tells the two apart, passes warning and error lines
/// on to the benchmark's standard error at a bounded pace (a storm of one kind of line would otherwise flood it), and
/// counts librdkafka's offset resets, the sign that a consumer fell behind the mock broker's retention.
/// </summary>
/// <remarks>
/// An offset reset is librdkafka's OFFSET line "... offset reset (at offset ..., broker ...) to ... BEGINNING offset
/// ...". The services' consume loop throttles librdkafka's lines (1 s, 2 s, 4 s ... apart per kind of line) and ends a
/// line with "(N similar since the last line)" for those it held back, so a line counts 1 + N. Resets held back after a
/// service's last line are not counted: for a service the count is a lower bound. The bare consumer logs each reset.
/// </remarks>
internal sealed partial class ChildLog(string name, TextWriter forwardTo)
{
    /// <summary>Lines forwarded per <see cref="Window"/>; the rest are counted and summed up in the next window's first line.</summary>
    private const int LinesPerWindow = 5;

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly Lock gate = new();
    private long offsetResets;
    private DateTimeOffset windowStart = DateTimeOffset.MinValue;
    private int forwardedInWindow;
    private long heldBack;

    /// <summary>Offset resets logged so far (see the remarks for what a throttled line counts).</summary>
    public long OffsetResets => Interlocked.Read(ref offsetResets);

    /// <summary>Whether a line is a log line (simple console format, any level) rather than a protocol line.</summary>
    public static bool IsLogLine(string line) => TryParseLevel(line, out _);

    /// <summary>A line of the simple console log format at any level; the level is "trce", "dbug", "info", "warn", "fail" or "crit".</summary>
    public static bool TryParseLevel(string line, out string level)
    {
        var match = SimpleConsoleLine().Match(line);
        level = match.Success ? match.Groups[1].Value : string.Empty;
        return match.Success;
    }

    /// <summary>How many offset resets a log line stands for: 0 when it is no reset, else 1 plus the resets the service's throttle held back.</summary>
    public static long OffsetResetsIn(string line)
    {
        if (!line.Contains("offset reset", StringComparison.Ordinal))
        {
            return 0;
        }

        var suppressed = SuppressedTail().Match(line);
        return 1 + (suppressed.Success ? long.Parse(suppressed.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
    }

    /// <summary>
    /// Takes one line the child printed that is not a protocol line: counts resets in it and forwards it when it is a
    /// warning or worse (or a librdkafka line the bare consumer prints), within the window's allowance.
    /// </summary>
    public void Observe(string line, DateTimeOffset now)
    {
        Interlocked.Add(ref offsetResets, OffsetResetsIn(line));
        var important = TryParseLevel(line, out var level)
            ? level is "warn" or "fail" or "crit"
            : line.StartsWith("librdkafka ", StringComparison.Ordinal);
        if (!important)
        {
            return;
        }

        lock (gate)
        {
            if (now - windowStart >= Window)
            {
                if (heldBack > 0)
                {
                    forwardTo.WriteLine($"[{name}] ({heldBack} more warning/error lines held back; offset resets so far: {OffsetResets})");
                }

                windowStart = now;
                forwardedInWindow = 0;
                heldBack = 0;
            }

            if (forwardedInWindow < LinesPerWindow)
            {
                forwardedInWindow++;
                forwardTo.WriteLine($"[{name}] {line}");
            }
            else
            {
                heldBack++;
            }
        }
    }

    /// <summary>Says how many lines the last window held back (the next window's first line would have said it), when the child is gone.</summary>
    public void Flush()
    {
        lock (gate)
        {
            if (heldBack > 0)
            {
                forwardTo.WriteLine($"[{name}] ({heldBack} more warning/error lines held back; offset resets so far: {OffsetResets})");
                heldBack = 0;
            }
        }
    }

    [GeneratedRegex(@"^\d\d:\d\d:\d\d\.\d{3} (trce|dbug|info|warn|fail|crit): ")]
    private static partial Regex SimpleConsoleLine();

    [GeneratedRegex(@"\((\d+) similar since the last line\)")]
    private static partial Regex SuppressedTail();
}
