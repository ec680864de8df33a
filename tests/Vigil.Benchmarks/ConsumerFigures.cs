namespace Vigil.Benchmarks;

/// <summary>
/// What one consumer process measured of itself after warm-up: events, wall time, its own CPU time (all threads,
/// librdkafka's included), the bytes its managed code allocated, and how many methods the JIT compiled meanwhile (tier-1
/// recompilation of methods called a few times per batch or per alert goes on through a second pass over the topic), the
/// CPU the tiered-compilation worker spent meanwhile (part of <see cref="CpuSeconds"/>), and how many warm-up passes
/// over the topic the process made before the measured one.
/// </summary>
internal sealed record ConsumerFigures(string Kind, long Events, double Seconds, double CpuSeconds, long AllocatedBytes, int Gen0, int Gen1, int Gen2, double StartupSeconds, long JitMethods = 0, double JitCpuSeconds = 0, int WarmupPasses = 0)
{
    public double EventsPerSecond => Events / Seconds;

    public double CpuMicrosPerEvent => CpuSeconds * 1e6 / Events;

    public double AllocatedBytesPerEvent => AllocatedBytes / (double)Events;

    /// <summary>Events per second one core would sustain at this CPU cost.</summary>
    public double EventsPerCoreSecond => Events / CpuSeconds;

    /// <summary>The tiered-compilation worker's share of the window's CPU.</summary>
    public double JitCpuShare => CpuSeconds > 0 ? JitCpuSeconds / CpuSeconds : 0;
}
