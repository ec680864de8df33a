using System.Text;
using Vigil.Contracts.Telemetry;

namespace Vigil.Cli;

/// <summary>
/// Counts telemetry per category:action and distinct hosts, and renders one line every few seconds. The rate is the
/// live rate: only records published during the window count, so a tail that starts behind (a group resuming, a
/// backlog) shows what the fleet sends now and reports the backlog it drained separately.
/// </summary>
public sealed class TelemetryRateSummary
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    // Producer and consumer clocks differ a little, and a record waits in the producer's linger before it is stamped.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, int> byKind = [];
    private readonly HashSet<string> hosts = [];
    private DateTimeOffset windowStart = DateTimeOffset.UtcNow;
    private long total;
    private long backlog;

    /// <summary>Counts one record; <paramref name="published"/> is its Kafka timestamp.</summary>
    public void Add(TelemetryEvent e, DateTimeOffset published)
    {
        if (published < windowStart - Slack)
        {
            backlog++;
            return;
        }

        var kind = $"{string.Join('/', e.Event?.Category ?? [])}:{e.Event?.Action}";
        byKind[kind] = byKind.GetValueOrDefault(kind) + 1;
        hosts.Add(e.Host?.Id ?? string.Empty);
        total++;
    }

    /// <summary>The summary line when the interval has passed (and resets the window), else null.</summary>
    public string? Due(DateTimeOffset now)
    {
        var elapsed = now - windowStart;
        if (elapsed < Interval || (total == 0 && backlog == 0))
        {
            return null;
        }

        var line = new StringBuilder()
            .Append(now.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture))
            .Append($" {total / elapsed.TotalSeconds:F0} events/s from {hosts.Count} hosts:");
        foreach (var (kind, count) in byKind.OrderByDescending(k => k.Value).Take(8))
        {
            line.Append(' ').Append(kind).Append('=').Append(count);
        }

        if (backlog > 0)
        {
            line.Append($" (and {backlog} older records caught up)");
        }

        byKind.Clear();
        hosts.Clear();
        total = 0;
        backlog = 0;
        windowStart = now;
        return line.ToString();
    }
}
