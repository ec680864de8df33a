using System.Text;
using Vigil.Contracts.Telemetry;

namespace Vigil.Cli;

/// <summary>Counts telemetry per category:action and distinct hosts, and renders one line every few seconds.</summary>
public sealed class TelemetryRateSummary
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private readonly Dictionary<string, int> byKind = [];
    private readonly HashSet<string> hosts = [];
    private DateTimeOffset windowStart = DateTimeOffset.UtcNow;
    private long total;

    public void Add(TelemetryEvent e)
    {
        var kind = $"{string.Join('/', e.Event?.Category ?? [])}:{e.Event?.Action}";
        byKind[kind] = byKind.GetValueOrDefault(kind) + 1;
        hosts.Add(e.Host?.Id ?? string.Empty);
        total++;
    }

    /// <summary>The summary line when the interval has passed (and resets the window), else null.</summary>
    public string? Due(DateTimeOffset now)
    {
        var elapsed = now - windowStart;
        if (elapsed < Interval || total == 0)
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

        byKind.Clear();
        hosts.Clear();
        total = 0;
        windowStart = now;
        return line.ToString();
    }
}
