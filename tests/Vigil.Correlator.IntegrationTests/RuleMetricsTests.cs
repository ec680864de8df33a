using System.Globalization;
using System.Text.RegularExpressions;
using Vigil.Testing;

namespace Vigil.Correlator.IntegrationTests;

/// <summary>The correlator's per-rule series on /metrics, as Prometheus and the dashboards read them.</summary>
public sealed class RuleMetricsTests : RealStackTests
{
    private const string RuleId = "99239e7d-b0d4-46e3-8609-acafcf99f68c";
    private const string RuleName = "MacOS Installer Package Spawns Network Event";

    [Fact]
    public async Task EveryRuleSeriesCarriesTheRuleNameAndExistsBeforeTheRuleFirstMatches()
    {
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, "rulemetrics");
        var app = await harness.StartCorrelatorAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var labels = $"analytic=\"{CorrelatorHarness.Analytic}\",rule=\"{RuleId}\",rule_name=\"{RuleName}\"";

        var atStart = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        await harness.PublishAsync(
            InstallerEvents.ShellFromInstaller("mac-metrics", InstallerEvents.T0, "m-shell"),
            InstallerEvents.CurlConnection("mac-metrics", InstallerEvents.T0 + InstallerEvents.Seconds(2), "m-curl"));
        Assert.Single(harness.Alerts(1, TimeSpan.FromSeconds(45)));
        double? published = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(20); published is not >= 1 && DateTime.UtcNow < deadline; await Task.Delay(100, TestContext.Current.CancellationToken))
        {
            published = Value(await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken), "vigil_alerts_published_total", labels);
        }

        foreach (var series in new[] { "vigil_correlator_relevant_events_total", "vigil_correlator_matches_total", "vigil_alerts_published_total", "vigil_correlator_late_events_total" })
        {
            Assert.True(Value(atStart, series, labels) is not null, $"{series}{{{labels}}} missing at start-up");
        }

        Assert.True(Value(atStart, "vigil_correlator_rejected_partials_total", labels + ",reason=\"maxspan\"") is not null);
        // Other tests in this process may have published the same rule's alerts too: at least this one is counted.
        Assert.True(published >= 1, $"vigil_alerts_published_total{{{labels}}} is {published}");
    }

    private static double? Value(string exposition, string name, string labels)
    {
        var match = Regex.Match(exposition, $@"^{Regex.Escape(name)}\{{{Regex.Escape(labels)}\}} (\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }
}
