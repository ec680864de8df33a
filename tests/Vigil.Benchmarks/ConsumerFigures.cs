namespace Vigil.Benchmarks;

/// <summary>
/// What one consumer process measured of itself after warm-up: events, wall time, its own CPU time (all threads,
/// librdkafka's included), the bytes its managed code allocated, and how many methods the JIT compiled meanwhile (tier-1
/// recompilation of hot methods goes on well past the warm-up mark in a short run on a loaded machine).
/// </summary>
internal sealed record ConsumerFigures(string Kind, long Events, double Seconds, double CpuSeconds, long AllocatedBytes, int Gen0, int Gen1, int Gen2, double StartupSeconds, long JitMethods = 0)
{
    public double EventsPerSecond => Events / Seconds;

    public double CpuMicrosPerEvent => CpuSeconds * 1e6 / Events;

    public double AllocatedBytesPerEvent => AllocatedBytes / (double)Events;

    /// <summary>Events per second one core would sustain at this CPU cost.</summary>
    public double EventsPerCoreSecond => Events / CpuSeconds;
}
