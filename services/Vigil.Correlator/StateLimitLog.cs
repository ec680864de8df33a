namespace Vigil.Correlator;

/// <summary>
/// Decides when a state-limit eviction is worth a log line: once per (rule, host) per <see cref="Window"/>, so a flooding
/// host produces one warning per window while the metric counts every eviction.
/// </summary>
internal sealed class StateLimitLog
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    private readonly Dictionary<(string Rule, string Host), DateTimeOffset> last = [];

    public bool ShouldLog(string rule, string host, DateTimeOffset now)
    {
        if (this.last.TryGetValue((rule, host), out var last) && now - last < Window)
        {
            return false;
        }

        if (this.last.Count > 10_000)
        {
            // Forget windows that have passed, so many hosts over a long run do not grow this without bound.
            foreach (var stale in this.last.Where(e => now - e.Value >= Window).Select(e => e.Key).ToArray())
            {
                this.last.Remove(stale);
            }
        }

        this.last[(rule, host)] = now;
        return true;
    }
}
