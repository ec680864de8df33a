using System.Globalization;

namespace Vigil.Baseline.Benchmarks;

/// <summary>
/// One throughput run: how many events (and network events) took how long, how much of the process's CPU time and
/// allocation, and how many Redis round trips.
/// </summary>
public sealed record BaselineBenchResult(
    string Component, int Events, int NetworkEvents, int BatchSize, TimeSpan Elapsed, TimeSpan Cpu, long Allocated, long RoundTrips, int Alerts)
{
    /// <summary>Script argument arrays the run's writes took, and how many of them were reused from earlier writes.</summary>
    public (long Rented, long Reused) ArgumentArrays { get; init; }

    public double EventsPerSecond => Events / Elapsed.TotalSeconds;

    public double RoundTripsPerEvent => (double)RoundTrips / Events;

    public double CpuMicrosPerEvent => Cpu.TotalMicroseconds / Events;

    public double AllocatedPerEvent => (double)Allocated / Events;

    public const string MarkdownHeader =
        "| component | events | network events | batch | seconds | events/s | CPU µs/event | allocated bytes/event | Redis round trips | round trips/event |\n|---|---|---|---|---|---|---|---|---|---|";

    public string ToMarkdownRow() => string.Create(CultureInfo.InvariantCulture,
        $"| {Component} | {Events} | {NetworkEvents} | {BatchSize} | {Elapsed.TotalSeconds:0.00} | {EventsPerSecond:0} | {CpuMicrosPerEvent:0.00} | {AllocatedPerEvent:0} | {RoundTrips} | {RoundTripsPerEvent:0.00000} |");

    /// <summary>What the handler adds per event to a decode-only run of the same workload.</summary>
    public string HandlerCostLine(BaselineBenchResult decodeOnly) => string.Create(CultureInfo.InvariantCulture,
        $"The handler (with its Redis client) adds {CpuMicrosPerEvent - decodeOnly.CpuMicrosPerEvent:0.00} µs of CPU and {AllocatedPerEvent - decodeOnly.AllocatedPerEvent:0} allocated bytes per event to decoding alone ({Alerts} alerts raised; write argument arrays: {ArgumentArrays.Rented} pooled-size, {ArgumentArrays.Reused} of them reused).");
}
