using System.Diagnostics;

namespace Vigil.Messaging.Kafka;

/// <summary>
/// Lets a repeating log line through with exponential backoff per key (first occurrence at once, then
/// after 1 s, 2 s, 4 s ... up to the cap), reporting how many were held back, so an unreachable broker
/// or a stream of bad records costs a few lines a minute instead of dozens a second.
/// </summary>
internal sealed class LogThrottle(TimeSpan first, TimeSpan max)
{
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);

    public LogThrottle()
        : this(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60))
    {
    }

    /// <summary>True when a line for <paramref name="key"/> should be written now; <paramref name="suppressed"/> counts those held back since the last one.</summary>
    public bool TryPass(string key, out long suppressed)
    {
        var now = Stopwatch.GetTimestamp();
        lock (entries)
        {
            if (!entries.TryGetValue(key, out var entry) || Stopwatch.GetElapsedTime(entry.LastSeen, now) > entry.Interval * 2)
            {
                // New, or quiet for a while: the next occurrence is news again.
                entries[key] = new Entry(now, now, first, 0);
                suppressed = 0;
                return true;
            }

            if (Stopwatch.GetElapsedTime(entry.LastLogged, now) >= entry.Interval)
            {
                suppressed = entry.Suppressed;
                entries[key] = new Entry(now, now, TimeSpan.FromTicks(Math.Min(entry.Interval.Ticks * 2, max.Ticks)), 0);
                return true;
            }

            entries[key] = entry with { LastSeen = now, Suppressed = entry.Suppressed + 1 };
            suppressed = 0;
            return false;
        }
    }

    private readonly record struct Entry(long LastLogged, long LastSeen, TimeSpan Interval, long Suppressed);
}
