using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;

namespace Vigil.Detection.UnitTests.Support;

/// <summary>The repository's rule packs (copied next to the tests) and backtests over them.</summary>
internal static class RulePacks
{
    public static readonly TimeSpan Lateness = TimeSpan.FromSeconds(2);

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "rules");

    /// <summary>Every pack under rules/, each rule with its analytic.</summary>
    public static AnalyticPack All { get; } = AnalyticPack.LoadAll(Folder, Lateness);

    public static AnalyticPack Of(string analytic) => AnalyticPack.Load(analytic, AnalyticPack.DefaultDirectory(analytic), Lateness);

    /// <summary>The text of a pack's rule file, for tests that edit a copy.</summary>
    public static string RuleText(string analytic, string fileNamePart) =>
        System.IO.File.ReadAllText(Directory.EnumerateFiles(Path.Combine(Folder, analytic), $"*{fileNamePart}*.toml").Single());

    public static List<Alert> Detect(IReadOnlyList<CompiledRule> rules, IEnumerable<TelemetryEvent> events) => Run(rules, events).Alerts;

    /// <summary>A backtest over <paramref name="events"/> in the order given: its alerts and what became of every match.</summary>
    public static (List<Alert> Alerts, BacktestCounts Counts) Run(IReadOnlyList<CompiledRule> rules, IEnumerable<TelemetryEvent> events)
    {
        var backtest = new Backtest(rules, new AlertFactory(TimeProvider.System, "tests"));
        var alerts = new List<Alert>();
        foreach (var e in events)
        {
            alerts.AddRange(backtest.Process(e));
        }

        alerts.AddRange(backtest.Finish());
        return (alerts, backtest.Counts);
    }

    public static IReadOnlyList<string> EvidenceIds(this Alert alert) => alert.Evidence.Select(e => e.Event.Event.Id).ToArray();
}
