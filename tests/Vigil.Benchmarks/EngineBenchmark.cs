using System.Diagnostics;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Eql.Sequences;

namespace Vigil.Benchmarks;

/// <summary>The rule engine alone: every pack's rules over the simulated stream, state in memory.</summary>
internal static class EngineBenchmark
{
    public static BenchmarkResult Run(IReadOnlyList<AnalyticPack> packs, IReadOnlyList<TelemetryEvent> events)
    {
        var rules = packs.SelectMany(p => p.Rules).ToArray();
        // Warm-up passes (JIT, tiered compilation), then the measured pass on fresh state.
        // Tiered compilation settles only after a few passes over the hot loop.
        for (var i = 0; i < 3; i++)
        {
            Replay(rules, events);
        }

        var started = Stopwatch.GetTimestamp();
        var (relevant, matches) = Replay(rules, events);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var perRule = rules.Select(rule =>
        {
            var ruleStarted = Stopwatch.GetTimestamp();
            Replay([rule], events);
            return ($"events/s, {rule.AnalyticId} \"{rule.Rule.Name}\" alone", $"{events.Count / Stopwatch.GetElapsedTime(ruleStarted).TotalSeconds:N0}");
        }).ToList();
        return new BenchmarkResult(
            "Rule engine in process",
            $"{rules.Length} rules from {packs.Count} packs over {events.Count:N0} simulated events; state in memory",
            events.Count,
            elapsed,
            [
                ("rule evaluations per event", $"{rules.Length}"),
                ("(rule, event) pairs relevant to a rule", $"{relevant:N0} ({100.0 * relevant / (events.Count * (double)rules.Length):F2} %)"),
                ("matches", $"{matches:N0}"),
                .. perRule,
            ]);
    }

    private static (long Relevant, long Matches) Replay(CompiledRule[] rules, IReadOnlyList<TelemetryEvent> events)
    {
        var runners = rules.Select(r => new InMemorySequenceRunner<TelemetryEvent>(r.Engine)).ToArray();
        long relevant = 0, matches = 0;
        foreach (var e in events)
        {
            for (var i = 0; i < rules.Length; i++)
            {
                if (rules[i].Query.IsRelevant(e))
                {
                    relevant++;
                    matches += runners[i].Process(e).Count;
                }
            }
        }

        matches += runners.Sum(r => r.Flush().Count);
        return (relevant, matches);
    }
}
