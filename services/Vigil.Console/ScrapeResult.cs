namespace Vigil.Console;

/// <summary>The last scrape of one target: its samples, or why there are none.</summary>
public sealed record ScrapeResult(MetricsTarget Target, DateTimeOffset At, IReadOnlyList<MetricSample> Samples, string? Error);
