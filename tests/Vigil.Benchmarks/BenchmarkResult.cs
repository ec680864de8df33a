namespace Vigil.Benchmarks;

/// <summary>One measured figure set: how many events in how long, plus details.</summary>
internal sealed record BenchmarkResult(string Name, string Workload, long Events, TimeSpan Elapsed, IReadOnlyList<(string Name, string Value)> Details, string Unit = "events")
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;
}
