namespace Vigil.Benchmarks;

/// <summary>
/// What one consumer process measured of itself after warm-up: events, wall time, its own CPU time (all threads,
/// librdkafka's included) and the bytes its managed code allocated.
/// </summary>
internal sealed record ConsumerFigures(string Kind, long Events, double Seconds, double CpuSeconds, long AllocatedBytes, int Gen0, int Gen1, int Gen2, double StartupSeconds)
{
    public double EventsPerSecond => Events / Seconds;

    public double CpuMicrosPerEvent => CpuSeconds * 1e6 / Events;

    public double AllocatedBytesPerEvent => AllocatedBytes / (double)Events;

    /// <summary>Events per second one core would sustain at this CPU cost.</summary>
    public double EventsPerCoreSecond => Events / CpuSeconds;
}
