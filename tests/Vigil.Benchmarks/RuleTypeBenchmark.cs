using System.Diagnostics;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;

namespace Vigil.Benchmarks;

/// <summary>
/// One rule of each detection-rules type with the same selection (process starts of a few interpreters and
/// downloaders), each backtested alone over the simulated stream: what a rule type costs beyond its predicate.
/// </summary>
internal static class RuleTypeBenchmark
{
    private const string Header = """
        [rule]
        description = "Benchmark rule."
        name = "{0}"
        risk_score = 21
        rule_id = "bbbbbbbb-0000-4000-8000-00000000000{1}"
        severity = "low"

        """;

    private static readonly (string Type, string Body)[] Rules =
    [
        ("eql single-event", """
            language = "eql"
            type = "eql"
            query = 'process where event.type == "start" and process.name in ("curl", "osascript", "bash", "zsh")'
            """),
        ("query (kuery)", """
            language = "kuery"
            type = "query"
            query = 'event.category:process and event.type:start and process.name:(curl or osascript or bash or zsh)'
            """),
        ("query (lucene)", """
            language = "lucene"
            type = "query"
            query = 'event.category:process AND event.type:start AND process.name:(curl OR osascript OR bash OR zsh)'
            """),
        ("threshold (kuery, by host.id, 20)", """
            language = "kuery"
            type = "threshold"
            query = 'event.category:process and event.type:start and process.name:(curl or osascript or bash or zsh)'

            [rule.threshold]
            field = ["host.id"]
            value = 20
            """),
        ("new_terms (kuery, host.id + process.executable)", """
            language = "kuery"
            type = "new_terms"
            query = 'event.category:process and event.type:start and process.name:(curl or osascript or bash or zsh)'

            [rule.new_terms]
            field = "new_terms_fields"
            value = ["host.id", "process.executable"]
            [[rule.new_terms.history_window_start]]
            field = "history_window_start"
            value = "now-7d"

            [vigil]
            new_terms_learning = "1m"
            """),
    ];

    public static BenchmarkResult Run(IReadOnlyList<TelemetryEvent> events)
    {
        var folder = Directory.CreateTempSubdirectory("vigil-bench-rules-");
        try
        {
            var details = new List<(string, string)>();
            var total = TimeSpan.Zero;
            for (var i = 0; i < Rules.Length; i++)
            {
                var (type, body) = Rules[i];
                var path = Path.Combine(folder.FullName, $"rule{i}.toml");
                System.IO.File.WriteAllText(path, string.Format(System.Globalization.CultureInfo.InvariantCulture, Header, type, i) + body);
                var rules = AnalyticPack.Load("bench", path, TimeSpan.FromSeconds(2)).Rules;

                // Warm-up passes (JIT, tiered compilation), then the measured pass on fresh state.
                for (var pass = 0; pass < 2; pass++)
                {
                    Replay(rules, events);
                }

                var started = Stopwatch.GetTimestamp();
                var alerts = Replay(rules, events);
                var elapsed = Stopwatch.GetElapsedTime(started);
                total += elapsed;
                details.Add(($"events/s, {type}", $"{events.Count / elapsed.TotalSeconds:N0} ({alerts:N0} alerts)"));
            }

            return new BenchmarkResult(
                "Rule types in process",
                $"one rule per type, same selection, each backtested alone (query, exceptions, state, alert building) over {events.Count:N0} simulated events",
                events.Count * (long)Rules.Length,
                total,
                details);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static long Replay(IReadOnlyList<CompiledRule> rules, IReadOnlyList<TelemetryEvent> events)
    {
        var backtest = new Backtest(rules, new AlertFactory(TimeProvider.System, "bench"));
        long alerts = 0;
        foreach (var e in events)
        {
            alerts += backtest.Process(e).Count;
        }

        return alerts + backtest.Finish().Count;
    }
}
