using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Vigil.Console;

/// <summary>
/// Scrapes the configured /metrics targets on an interval and keeps the last result of each. Rule counts come from the
/// correlators' own counters this way (no second bookkeeping in Redis that could disagree with what Prometheus sees), and
/// a partition counts as stalled when its lag stayed above zero without falling for <see cref="ConsoleOptions.StallAfter"/>.
/// </summary>
public sealed class MetricsScraper(ConsoleOptions options, IHttpClientFactory http, TimeProvider time, ConsoleMetrics metrics, ILogger<MetricsScraper> logger) : BackgroundService
{
    private readonly IReadOnlyList<MetricsTarget> targets = options.MetricsTargets.Select(t => MetricsTarget.TryParse(t)!).ToList();
    private readonly ConcurrentDictionary<string, ScrapeResult> latest = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string, string, int), (double Lag, DateTimeOffset Since)> progress = new();

    public IReadOnlyList<MetricsTarget> Targets => targets;

    public IReadOnlyList<ScrapeResult> Latest => targets.Select(t => latest.GetValueOrDefault(t.Name)).OfType<ScrapeResult>().ToList();

    /// <summary>Every sample named <paramref name="name"/> across the targets, with the target's name.</summary>
    public IEnumerable<(string Target, MetricSample Sample)> Samples(string name) =>
        Latest.SelectMany(r => r.Samples.Where(s => s.Name == name).Select(s => (r.Target.Name, s)));

    public IReadOnlyList<PartitionLag> Lags()
    {
        var now = time.GetUtcNow();
        return Samples("vigil_consumer_lag")
            .Select(x =>
            {
                var partition = int.TryParse(x.Sample.Label("partition"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : -1;
                var key = (x.Target, x.Sample.Label("group"), x.Sample.Label("topic"), partition);
                var since = progress.TryGetValue(key, out var seen) ? seen.Since : (DateTimeOffset?)null;
                var stalled = x.Sample.Value > 0 && since is { } s && now - s >= options.StallAfter;
                return new PartitionLag(x.Target, key.Item2, key.Item3, partition, x.Sample.Value, stalled, since);
            })
            .OrderBy(l => l.Group, StringComparer.Ordinal).ThenBy(l => l.Topic, StringComparer.Ordinal).ThenBy(l => l.Partition)
            .ToList();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (targets.Count == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.ScrapeInterval, time);
        do
        {
            await Task.WhenAll(targets.Select(t => ScrapeAsync(t, stoppingToken)));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Scrapes every target now (the pages call this when a result is older than the interval).</summary>
    public Task RefreshAsync(CancellationToken cancellationToken) => Task.WhenAll(targets.Select(t => ScrapeAsync(t, cancellationToken)));

    private async Task ScrapeAsync(MetricsTarget target, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            using var client = http.CreateClient(nameof(MetricsScraper));
            client.Timeout = TimeSpan.FromSeconds(3);
            var text = await client.GetStringAsync(target.Url, cancellationToken);
            var samples = PrometheusText.Parse(text);
            latest[target.Name] = new ScrapeResult(target, now, samples, null);
            foreach (var lag in samples.Where(s => s.Name == "vigil_consumer_lag"))
            {
                var partition = int.TryParse(lag.Label("partition"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : -1;
                var key = (target.Name, lag.Label("group"), lag.Label("topic"), partition);
                // Progress is lag that fell (or is zero); a lag that holds or grows keeps the time of the last progress.
                progress.AddOrUpdate(key, (lag.Value, now), (_, seen) => lag.Value < seen.Lag || lag.Value == 0 ? (lag.Value, now) : (lag.Value, seen.Since));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            metrics.ScrapeFailures.WithLabels(target.Name).Inc();
            latest[target.Name] = new ScrapeResult(target, now, latest.GetValueOrDefault(target.Name)?.Samples ?? [], e.Message);
            logger.LogDebug("Scrape of {Target} ({Url}) failed: {Error}", target.Name, target.Url, e.Message);
        }
    }
}
