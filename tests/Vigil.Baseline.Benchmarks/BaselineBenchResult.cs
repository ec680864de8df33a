using System.Globalization;

namespace Vigil.Baseline.Benchmarks;

/// <summary>One throughput run: how many events (and network events) took how long and how many Redis round trips.</summary>
public sealed record BaselineBenchResult(int Events, int NetworkEvents, int BatchSize, TimeSpan Elapsed, long RoundTrips, int Alerts)
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;

    public double RoundTripsPerEvent => (double)RoundTrips / Events;

    public const string MarkdownHeader =
        "| component | events | network events | batch | seconds | events/s | Redis round trips | round trips/event |\n|---|---|---|---|---|---|---|---|";

    public string ToMarkdownRow() => string.Create(CultureInfo.InvariantCulture,
        $"| baseline (handler + Redis) | {Events} | {NetworkEvents} | {BatchSize} | {Elapsed.TotalSeconds:0.00} | {EventsPerSecond:0} | {RoundTrips} | {RoundTripsPerEvent:0.00000} |");
}
