using System.Globalization;
using System.Text;

namespace Vigil.Console.Pages;

/// <summary>Consumer lag per group and partition, stalled partitions, dead letters and handler health, from the services' /metrics.</summary>
internal static class PipelinePage
{
    public static string Render(MetricsScraper scraper, ConsoleOptions options)
    {
        var lags = scraper.Lags();
        var html = new StringBuilder("<h1>Pipeline</h1>");
        html.Append(RulesPage.Targets(scraper));

        html.Append("<h2>Consumer groups</h2><table id=\"groups\"><thead><tr><th>Group</th><th>Service</th><th>Partitions</th><th>Total lag</th><th>Max lag</th><th>Stalled</th><th>Consumed</th><th>Handler failures</th><th>Handler p50 / max bucket</th></tr></thead><tbody>");
        foreach (var group in lags.GroupBy(l => (l.Group, l.Target)))
        {
            var consumed = scraper.Samples("vigil_records_consumed_total").Where(x => x.Target == group.Key.Target && x.Sample.Label("group") == group.Key.Group).Sum(x => x.Sample.Value);
            var failures = scraper.Samples("vigil_handler_failures_total").Where(x => x.Target == group.Key.Target && x.Sample.Label("group") == group.Key.Group).Sum(x => x.Sample.Value);
            var stalled = group.Count(l => l.Stalled);
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr><td>{Html.E(group.Key.Group)}</td><td>{Html.E(group.Key.Target)}</td><td>{group.Count()}</td><td>{Html.Number(group.Sum(l => l.Lag))}</td><td>{Html.Number(group.Max(l => l.Lag))}</td>
                <td>{(stalled > 0 ? $"<span class=\"warn\">{stalled}</span>" : "0")}</td><td>{Html.Number(consumed)}</td><td>{Html.Number(failures)}</td><td>{Html.E(Latency(scraper, group.Key.Target, group.Key.Group))}</td></tr>
                """);
        }

        html.Append("</tbody></table>");

        var stalledNow = lags.Where(l => l.Stalled).ToList();
        html.Append(CultureInfo.InvariantCulture, $"<h2>Stalled partitions</h2><p class=\"muted\">A partition is stalled when its lag stayed above zero without falling for {options.StallAfter.TotalSeconds:0} s.</p>");
        html.Append(stalledNow.Count == 0 ? "<p id=\"stalled\" class=\"ok\">None.</p>" : "<ul id=\"stalled\">" + string.Concat(stalledNow.Select(l =>
            $"<li class=\"warn\">{Html.E(l.Group)} {Html.E(l.Topic)}[{l.Partition}] lag {Html.Number(l.Lag)}, no progress since {(l.LastProgress is { } t ? Html.Time(t) : "?")}</li>")) + "</ul>");

        html.Append("<h2>Dead letters</h2><table id=\"dead-letters\"><thead><tr><th>Service</th><th>Source topic</th><th>Reason</th><th>Records</th></tr></thead><tbody>");
        var dead = scraper.Samples("vigil_dead_letter_records_total").Where(x => x.Sample.Value > 0).ToList();
        foreach (var x in dead)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.E(x.Target)}</td><td>{Html.E(x.Sample.Label("source_topic"))}</td><td>{Html.E(x.Sample.Label("reason"))}</td><td>{Html.Number(x.Sample.Value)}</td></tr>");
        }

        if (dead.Count == 0)
        {
            html.Append("<tr><td colspan=\"4\" class=\"muted\">None.</td></tr>");
        }

        html.Append("</tbody></table>");

        html.Append("<h2>Lag per partition</h2><table id=\"lag\"><thead><tr><th>Group</th><th>Topic</th><th>Partition</th><th>Lag</th><th>Last progress</th></tr></thead><tbody>");
        foreach (var l in lags)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr{(l.Stalled ? " class=\"warn\"" : string.Empty)}><td>{Html.E(l.Group)}</td><td>{Html.E(l.Topic)}</td><td>{l.Partition}</td><td>{Html.Number(l.Lag)}</td><td>{(l.LastProgress is { } t ? Html.Time(t) : string.Empty)}</td></tr>");
        }

        if (lags.Count == 0)
        {
            html.Append("<tr><td colspan=\"5\" class=\"muted\">No lag reported yet (a consumer reports lag once it owns partitions).</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>The handler's median and the largest non-empty latency bucket, read from the cumulative histogram.</summary>
    private static string Latency(MetricsScraper scraper, string target, string group)
    {
        var buckets = scraper.Samples("vigil_handler_batch_duration_seconds_bucket")
            .Where(x => x.Target == target && x.Sample.Label("group") == group)
            .Select(x => (Le: double.TryParse(x.Sample.Label("le"), NumberStyles.Float, CultureInfo.InvariantCulture, out var le) ? le : double.PositiveInfinity, Count: x.Sample.Value))
            .OrderBy(b => b.Le)
            .ToList();
        var total = buckets.Count > 0 ? buckets[^1].Count : 0;
        if (total == 0)
        {
            return "–";
        }

        var median = buckets.First(b => b.Count >= total / 2).Le;
        var max = buckets.First(b => b.Count >= total).Le;
        static string Ms(double s) => double.IsPositiveInfinity(s) ? "∞" : (s * 1000).ToString("0.#", CultureInfo.InvariantCulture) + " ms";
        return $"≤ {Ms(median)} / ≤ {Ms(max)}";
    }
}
