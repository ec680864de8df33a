using System.Diagnostics;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Eql.Sequences;
using Vigil.Testing;

namespace Vigil.Benchmarks;

/// <summary>
/// The rule engine alone, on one thread, state in memory: the correlator's per-event path without Kafka and Redis
/// (rule index → exceptions → engine). Runs the repository's packs (5 rules) and the packs plus about a hundred
/// Elastic-shaped rules (ElasticShapedRules), the latter also with every rule checked for every event, to show what
/// the index saves and that the cost per event grows far slower than the rule count.
/// </summary>
internal static class EngineBenchmark
{
    public const int ElasticShapedCount = 96;

    /// <param name="profileSeconds">When positive, runs only the ~100-rule indexed route for that long and reports nothing.</param>
    public static IReadOnlyList<BenchmarkResult> Run(IReadOnlyList<AnalyticPack> packs, IReadOnlyList<TelemetryEvent> events, int profileSeconds = 0)
    {
        var results = new List<BenchmarkResult>();
        var packFolders = packs.Select(p => p.Directory).ToArray();
        using var folder = TemporaryDirectory.Create("vigil-engine-bench-");
        foreach (var pack in packFolders)
        {
            CopyFolder(pack, Path.Combine(folder.Path, Path.GetFileName(pack)));
        }

        // As the correlator runs them: sequences without until or missing steps are reported as soon as they complete.
        var defaults = new EngineDefaults(TimeSpan.FromSeconds(2)) { ReportEarly = true };
        var five = AnalyticPack.LoadAll(folder.Path, defaults);
        // VIGIL_BENCH_RULES=<folder of rule files> runs those instead of the generated ones (e.g. a local checkout of
        // Elastic's macOS rules that load in Vigil; not part of the repository).
        if (Environment.GetEnvironmentVariable("VIGIL_BENCH_RULES") is { Length: > 0 } extra)
        {
            CopyFolder(extra, Path.Combine(folder.Path, "extra"));
        }
        else
        {
            ElasticShapedRules.Write(Path.Combine(folder.Path, "elastic-shaped"), ElasticShapedCount);
        }

        var hundred = AnalyticPack.LoadAll(folder.Path, defaults);
        if (profileSeconds > 0)
        {
            // Only the ~100-rule indexed route, over and over, for a profiler to attach to (perf, dotnet-trace).
            Console.Error.WriteLine($"Profiling: the {hundred.Rules.Count}-rule indexed route for {profileSeconds} s, process {Environment.ProcessId}");
            var until = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * profileSeconds);
            while (Stopwatch.GetTimestamp() < until)
            {
                Replay(hundred, events, indexed: true);
            }

            return [];
        }

        var fiveIndexed = Measure(five, events, indexed: true);
        var hundredIndexed = Measure(hundred, events, indexed: true);
        var hundredEvery = Measure(hundred, events, indexed: false);
        results.Add(Result($"Rule engine in process, {five.Rules.Count} rules (the packs)", five, events, fiveIndexed, null));
        results.Add(Result($"Rule engine in process, {hundred.Rules.Count} rules (packs + {hundred.Rules.Count - five.Rules.Count} Elastic-shaped)", hundred, events, hundredIndexed, (fiveIndexed, hundredEvery)));
        return results;
    }

    private static BenchmarkResult Result(string name, AnalyticPack pack, IReadOnlyList<TelemetryEvent> events, Measurement m, (Measurement Five, Measurement Every)? compare)
    {
        List<(string, string)> details =
        [
            ("CPU ns per event (one core)", $"{m.NanosPerEvent:N0}"),
            ("wall-clock events/s (shared machine)", $"{m.Events / m.Wall.TotalSeconds:N0}"),
            ("index lookup alone, CPU ns per event", $"{IndexOnlyNanos(pack, events, 3):N0}"),
            ("index lookup alone, the first 1,000 events over and over (in cache, as a service's just-decoded batch), CPU ns per event", $"{IndexOnlyNanos(pack, events.Take(1000).ToList(), 600):N0}"),
            ("allocated bytes per event", $"{m.BytesPerEvent:N0}"),
            ("rules an event reaches through the index (mean)", $"{m.CandidatesPerEvent:F2} of {pack.Rules.Count}"),
            ("(rule, event) pairs relevant to a rule", $"{m.Relevant:N0} ({100.0 * m.Relevant / (events.Count * (double)pack.Rules.Count):F2} %)"),
            ("matches", $"{m.Matches:N0}"),
            ("indexed fields", string.Join(", ", pack.Index.IndexedFields)),
            ("rules checked for every event (no indexed field narrows them)", $"{pack.Index.AlwaysChecked}"),
        ];
        if (compare is { } c)
        {
            details.Add(("same rules, every rule checked for every event: events/s", $"{c.Every.EventsPerSecond:N0} ({c.Every.NanosPerEvent:N0} ns/event, {c.Every.BytesPerEvent:N0} B/event)"));
            details.Add(("cost per event vs 5 rules", $"{m.NanosPerEvent / c.Five.NanosPerEvent:F2}x for {pack.Rules.Count / 5.0:F0}x the rules"));
            details.Add(("matches equal with and without the index", m.Matches == c.Every.Matches && m.Relevant == c.Every.Relevant ? "yes" : $"NO ({c.Every.Matches:N0})"));
        }

        return new BenchmarkResult(
            name,
            $"{pack.Rules.Count} rules over {events.Count:N0} simulated events on one thread; state in memory; events/s from process CPU time, best of 3 measured passes after 3 warm-up passes",
            events.Count,
            m.Elapsed,
            details);
    }

    private static Measurement Measure(AnalyticPack pack, IReadOnlyList<TelemetryEvent> events, bool indexed)
    {
        // Warm-up passes (JIT, tiered compilation settles only after a few passes over the hot loop), then the best
        // of three measured passes on fresh state: the machine is shared, the best pass is the least disturbed.
        for (var i = 0; i < 3; i++)
        {
            Replay(pack, events, indexed);
        }

        Measurement? best = null;
        for (var i = 0; i < 3; i++)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            var started = Stopwatch.GetTimestamp();
            var (relevant, matches, candidates) = Replay(pack, events, indexed);
            var elapsed = Stopwatch.GetElapsedTime(started);
            cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
            var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
            var m = new Measurement(events.Count, cpu, elapsed, bytes, relevant, matches, candidates);
            if (best is null || m.Elapsed < best.Elapsed)
            {
                best = m;
            }
        }

        return best!;
    }

    private static double IndexOnlyNanos(AnalyticPack pack, IReadOnlyList<TelemetryEvent> events, int passes)
    {
        long sink = 0;
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        for (var pass = 0; pass < passes; pass++)
        {
            foreach (var e in events)
            {
                sink += pack.Index.Candidates(e).Candidates;
            }
        }

        cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return sink < 0 ? 0 : cpu.TotalNanoseconds / ((double)passes * events.Count);
    }

    /// <summary>The correlator's per-event route in memory: candidates, the rule's gate (classify once), its engine.</summary>
    private static (long Relevant, long Matches, long Candidates) Replay(AnalyticPack pack, IReadOnlyList<TelemetryEvent> events, bool indexed)
    {
        // By position, as the correlator's router holds its per-rule parts: no lookup keyed by the rule per event.
        var runners = pack.Rules.Select(r => new InMemorySequenceRunner<TelemetryEvent>(r.Engine)).ToArray();
        long relevant = 0, matches = 0, candidates = 0;
        foreach (var e in events)
        {
            if (indexed)
            {
                foreach (var position in pack.Index.Candidates(e))
                {
                    candidates++;
                    Feed(position, e);
                }
            }
            else
            {
                for (var position = 0; position < runners.Length; position++)
                {
                    candidates++;
                    Feed(position, e);
                }
            }
        }

        matches += runners.Sum(r => r.Flush().Count);
        return (relevant, matches, candidates);

        void Feed(int position, TelemetryEvent e)
        {
            var rule = pack.Rules[position];
            var input = rule.Admit(e, out var classification, out _);
            if (input == RuleInput.Irrelevant)
            {
                return;
            }

            relevant++;
            if (input == RuleInput.Admitted && !rule.IsAggregation)
            {
                matches += runners[position].Process(e, classification).Count;
            }
        }
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            System.IO.File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var sub in Directory.GetDirectories(from))
        {
            CopyFolder(sub, Path.Combine(to, Path.GetFileName(sub)));
        }
    }

    /// <summary>
    /// One pass. <paramref name="Elapsed"/> is the process's CPU time (this thread plus the GC's and JIT's work it
    /// causes), so a figure "per core" holds on a machine other work shares; <paramref name="Wall"/> is the clock.
    /// </summary>
    private sealed record Measurement(long Events, TimeSpan Elapsed, TimeSpan Wall, long Bytes, long Relevant, long Matches, long Candidates)
    {
        public double EventsPerSecond => Events / Elapsed.TotalSeconds;

        public double NanosPerEvent => Elapsed.TotalNanoseconds / Events;

        public double BytesPerEvent => Bytes / (double)Events;

        public double CandidatesPerEvent => Candidates / (double)Events;
    }
}
