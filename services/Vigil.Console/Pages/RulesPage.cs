using System.Globalization;
using System.Text;

namespace Vigil.Console.Pages;

/// <summary>Every loaded rule with what the correlators counted for it (summed over the scraped correlators).</summary>
internal static class RulesPage
{
    public static string Render(RuleCatalog catalog, MetricsScraper scraper)
    {
        double Sum(string metric, string ruleId, string ruleName, Func<MetricSample, bool>? where = null) =>
            scraper.Samples(metric)
                .Where(x => x.Sample.Label("rule") == ruleId || x.Sample.Label("rule") == ruleName || x.Sample.Label("rule_id") == ruleId)
                .Where(x => where?.Invoke(x.Sample) ?? true)
                .Sum(x => x.Sample.Value);

        var html = new StringBuilder("<h1>Rules</h1>");
        if (catalog.Problem is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"warn\">{Html.E(catalog.Problem)}</p>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{catalog.Rules.Count} rule(s) from <code>{Html.E(catalog.Directory)}</code>. Counts are the correlators' own counters, summed over {scraper.Targets.Count} scraped target(s) since each started: ")
            .Append("relevant events (could touch the rule's state), matches, matches (or, where exceptions filter events before matching, events) an exception allowed, and matches suppressed as repeats or inside the suppression window.</p>");
        html.Append(Targets(scraper));
        html.Append("<table id=\"rules-table\"><thead><tr><th>Analytic</th><th>Rule</th><th>Severity</th><th>MITRE</th><th>Exceptions</th><th>Suppression</th><th>Relevant events</th><th>Matches</th><th>Exception drops</th><th>Suppressed</th><th>Alerts</th></tr></thead><tbody>");
        foreach (var rule in catalog.Rules)
        {
            var id = rule.RuleId;
            var name = rule.Rule.Name;
            var mitre = string.Join(" ", rule.Rule.Threats.SelectMany(t => t.Techniques.SelectMany(x => x.Subtechniques.Select(s => s.Id).Prepend(x.Id)).Prepend(t.Tactic.Id)).Distinct());
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr data-rule-id="{Html.E(id)}"><td>{Html.E(rule.AnalyticId)}</td><td><a href="/?rule={Html.Url(id)}">{Html.E(name)}</a><br><code class="muted">{Html.E(id)}</code></td>
                <td>{Html.Severity(rule.Rule.Severity.ToString().ToLowerInvariant())}</td><td>{Html.E(mitre)}</td><td>{rule.Rule.Vigil.Exceptions.Count}</td>
                <td>{Html.E(rule.Suppression is { } suppression ? $"{string.Join(", ", suppression.GroupBy)} for {suppression.Window}" : "–")}</td>
                <td class="relevant">{Html.Number(Sum("vigil_correlator_relevant_events_total", id, name))}</td>
                <td class="matches">{Html.Number(Sum("vigil_correlator_matches_total", id, name))}</td>
                <td class="exception-drops">{Html.Number(Sum("vigil_alerts_dropped_total", id, name, s => s.Label("why") == "exception") + Sum("vigil_correlator_excepted_events_total", id, name))}</td>
                <td class="suppressed">{Html.Number(Sum("vigil_alerts_dropped_total", id, name, s => s.Label("why") != "exception"))}</td>
                <td class="published">{Html.Number(Sum("vigil_alerts_published_total", id, name))}</td></tr>
                """);
        }

        return html.Append("</tbody></table>").ToString();
    }

    public static string Targets(MetricsScraper scraper)
    {
        if (scraper.Targets.Count == 0)
        {
            return "<p class=\"warn\">No metrics targets are configured (Console:MetricsTargets), so there are no counts to show.</p>";
        }

        var html = new StringBuilder("<p class=\"muted\">Targets: ");
        html.AppendJoin(" · ", scraper.Targets.Select(t =>
        {
            var result = scraper.Latest.FirstOrDefault(r => r.Target == t);
            var state = result is null ? "<span class=\"muted\">not scraped yet</span>"
                : result.Error is null ? $"<span class=\"ok\">up</span> {Html.Time(result.At)}"
                : $"<span class=\"no\">down</span> ({Html.E(result.Error)})";
            return $"{Html.E(t.Name)} {state}";
        }));
        return html.Append("</p>").ToString();
    }
}
